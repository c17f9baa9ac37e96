-- Rule enforcement: warnings (manual and automod), escalations that ran, rule acceptances,
-- and the message id a delivered post got (so /rules post can edit its earlier message).

CREATE TABLE warnings (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL,
    -- NULL: automod.
    moderator_id  INTEGER,
    reason        TEXT    NOT NULL,
    points        INTEGER NOT NULL CHECK (points > 0),
    -- 'manual' or 'automod:<filter>'.
    source        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    pardoned_at   INTEGER,
    pardoned_by   INTEGER,
    pardon_reason TEXT
);
CREATE INDEX warnings_by_member ON warnings (member_id, created_at);

CREATE TABLE escalations (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL,
    warning_id INTEGER NOT NULL REFERENCES warnings (id),
    at_points  INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE rules_acceptances (
    member_id   INTEGER PRIMARY KEY,
    accepted_at INTEGER NOT NULL
);

-- The rules message this bot posted (one per community), for /rules post to edit.
CREATE TABLE rules_message (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    outbox_id  INTEGER NOT NULL,
    channel_id INTEGER NOT NULL
);

ALTER TABLE outbox ADD COLUMN message_id INTEGER;
