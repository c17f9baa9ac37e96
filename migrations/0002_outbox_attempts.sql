-- When an item was first tried: a message post whose outcome was unknown (5xx, timeout) is
-- checked against the channel's recent messages before it is posted again once Discord's
-- nonce window has passed, so it can never appear twice.
ALTER TABLE outbox ADD COLUMN first_attempt_at INTEGER;
