-- 作业 / 点评: assignments staff set, one submission per member and assignment (handed in
-- again after "needs work"), and its review. Pending submissions are indexed by age for the
-- "unreviewed for more than 48 hours" list.
CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    due_at      INTEGER NOT NULL,
    channel_id  INTEGER,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE submissions (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments (id),
    member_id     INTEGER NOT NULL,
    text          TEXT NOT NULL,
    link          TEXT,
    submitted_at  INTEGER NOT NULL,
    late          INTEGER NOT NULL DEFAULT 0,
    -- the member's language when they handed in (the review DM is written in it)
    locale        TEXT NOT NULL DEFAULT 'en',
    -- pending, reviewed, needs_work, featured
    status        TEXT NOT NULL DEFAULT 'pending',
    reviewer_id   INTEGER,
    comment       TEXT,
    reviewed_at   INTEGER,
    -- the staff post with the review buttons (edited in place after a review)
    outbox_id     INTEGER,
    UNIQUE (assignment_id, member_id)
);
CREATE INDEX submissions_pending ON submissions (submitted_at) WHERE status = 'pending';
CREATE INDEX submissions_by_member ON submissions (member_id);
