-- A challenge in a forum channel posts each day as a forum post (a thread) instead of a
-- message.
ALTER TABLE challenges ADD COLUMN forum INTEGER NOT NULL DEFAULT 0;
