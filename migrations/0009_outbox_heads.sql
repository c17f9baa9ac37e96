-- Claiming without scanning the queue: each ordering key's head (its oldest pending item) is
-- flagged, kept by triggers whatever writes the table, and claimed through a partial index in
-- priority order (urgent moderation first, bulk role changes last). Pruning gets its own index.
ALTER TABLE outbox ADD COLUMN is_head INTEGER NOT NULL DEFAULT 0;
-- 0 urgent (deletes, timeouts, kicks, bans), 1 messages, 2 bulk (roles, permissions).
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;

UPDATE outbox SET is_head = 1
 WHERE status = 'pending'
   AND id = (SELECT MIN(p.id) FROM outbox p WHERE p.status = 'pending' AND p.ordering_key = outbox.ordering_key);

CREATE INDEX outbox_heads ON outbox (priority, next_attempt_at, id) WHERE status = 'pending' AND is_head = 1;
CREATE INDEX outbox_finished ON outbox (finished_at) WHERE status != 'pending';

-- A new pending item heads its key when nothing older of that key is pending.
CREATE TRIGGER outbox_head_on_insert AFTER INSERT ON outbox WHEN NEW.status = 'pending'
BEGIN
    UPDATE outbox SET is_head = 1
     WHERE id = NEW.id
       AND NOT EXISTS (SELECT 1 FROM outbox e
                        WHERE e.status = 'pending' AND e.ordering_key = NEW.ordering_key AND e.id < NEW.id);
END;

-- An item leaves the queue: the next pending item of its key becomes the head.
CREATE TRIGGER outbox_head_on_finish AFTER UPDATE OF status ON outbox
WHEN OLD.status = 'pending' AND NEW.status != 'pending'
BEGIN
    UPDATE outbox SET is_head = 0 WHERE id = NEW.id;
    UPDATE outbox SET is_head = 1
     WHERE id = (SELECT MIN(p.id) FROM outbox p WHERE p.status = 'pending' AND p.ordering_key = NEW.ordering_key);
END;

-- An item re-enters the queue (a failed item retried): it heads its key again if it is the
-- oldest pending one, and whatever headed the key after it waits behind it.
CREATE TRIGGER outbox_head_on_requeue AFTER UPDATE OF status ON outbox
WHEN OLD.status != 'pending' AND NEW.status = 'pending'
BEGIN
    UPDATE outbox SET is_head = 0
     WHERE status = 'pending' AND ordering_key = NEW.ordering_key AND is_head = 1 AND id > NEW.id;
    UPDATE outbox SET is_head = 1
     WHERE id = NEW.id
       AND NOT EXISTS (SELECT 1 FROM outbox e
                        WHERE e.status = 'pending' AND e.ordering_key = NEW.ordering_key AND e.id < NEW.id);
END;
