-- The points writer numbers its batches and records each number in the batch's own
-- transaction: a read of a member's points sees, in the same snapshot, which batches it already
-- includes, and adds the points still queued (`/points show` answers without waiting for the
-- writer and without blocking on its commits).
CREATE TABLE points_writer (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_batch INTEGER NOT NULL
);
INSERT INTO points_writer (id, last_batch) VALUES (1, 0);
