-- Community: feedback with a status, paid questions held in escrow, and daily activity.

CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('suggestion', 'bug', 'content_request')),
    text       TEXT    NOT NULL,
    -- Hidden from members (the staff post says "anonymous"); admins always see the author.
    anonymous  INTEGER NOT NULL DEFAULT 0,
    status     TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'planned', 'done', 'declined')),
    -- The staff-channel post (its outbox item), edited on each status change.
    outbox_id  INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX feedback_by_status ON feedback (status, id);

-- A paid question. While `open`, its price is in escrow: taken from the asker's balance by a
-- ledger row in the same transaction, and either paid to the expert (answered) or returned
-- (refunded at the deadline, or withdrawn). The status moves once, by a conditional UPDATE.
CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,
    asker_id    INTEGER NOT NULL,
    expert_id   INTEGER NOT NULL,
    question    TEXT    NOT NULL,
    price       INTEGER NOT NULL CHECK (price > 0),
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'refunded', 'withdrawn')),
    answer      TEXT,
    deadline    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX questions_open_by_deadline ON questions (deadline) WHERE status = 'open';

-- Messages per member and per channel per local day (community time zone), from memory in
-- batches. Points, check-ins and attendance per day come from the points ledger.
CREATE TABLE activity_daily (
    member_id INTEGER NOT NULL,
    day       TEXT    NOT NULL,
    messages  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, day)
);
CREATE INDEX activity_daily_by_day ON activity_daily (day);
CREATE TABLE channel_daily (
    channel_id INTEGER NOT NULL,
    day        TEXT    NOT NULL,
    messages   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, day)
);

-- When each member first joined (cohorts): from GUILD_MEMBER_ADD, or the member list.
CREATE TABLE member_joins (
    member_id INTEGER PRIMARY KEY,
    joined_at INTEGER NOT NULL
);
