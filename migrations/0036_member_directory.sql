-- The member directory: `member_names` is fed by everything Discord sends about members (the
-- server's member list, joins, updates, every interaction), not only messages and logins;
-- `left_at` marks a member who left (shown as "former member").
ALTER TABLE member_names ADD COLUMN left_at INTEGER;
