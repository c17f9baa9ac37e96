-- Scheduled events: a series (one or recurring) in the community's time zone, the run records
-- that make each announcement and reminder happen exactly once, and RSVPs.

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    channel_id   INTEGER NOT NULL,
    -- The first occurrence, community-local, 'YYYY-MM-DD HH:MM'.
    starts_local TEXT    NOT NULL,
    -- As the creator wrote it ('' for a one-off).
    repeat       TEXT    NOT NULL DEFAULT '',
    remind       TEXT    NOT NULL DEFAULT '',
    duration_s   INTEGER NOT NULL DEFAULT 3600,
    catch_up     TEXT    NOT NULL DEFAULT 'post_late' CHECK (catch_up IN ('post_late', 'skip', 'digest')),
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'cancelled', 'finished')),
    -- The next occurrence (UTC ms), and when something is next due for it.
    next_at      INTEGER,
    due_at       INTEGER,
    -- The previous occurrence (before the first: when the series was planned); the next one
    -- is announced from then, at most a week ahead.
    prev_at      INTEGER,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX events_due ON events (due_at) WHERE status = 'active';

-- One row per (event, occurrence, kind) that was posted or deliberately skipped: written in the
-- same transaction as its outbox message, so a crash or restart neither loses nor repeats it.
CREATE TABLE event_runs (
    event_id      INTEGER NOT NULL REFERENCES events (id),
    occurrence_at INTEGER NOT NULL,
    -- 'announce', 'remind:<seconds>', 'digest'
    kind          TEXT    NOT NULL,
    outcome       TEXT    NOT NULL CHECK (outcome IN ('posted', 'late', 'skipped')),
    outbox_id     INTEGER,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (event_id, occurrence_at, kind)
);

CREATE TABLE rsvps (
    event_id      INTEGER NOT NULL REFERENCES events (id),
    occurrence_at INTEGER NOT NULL,
    member_id     INTEGER NOT NULL,
    answer        TEXT    NOT NULL CHECK (answer IN ('going', 'maybe', 'no')),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (event_id, occurrence_at, member_id)
);

-- The content plan: what was published (a staff post in a plan channel, or /plan done).
CREATE TABLE content_posts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    member_id  INTEGER NOT NULL,
    channel_id INTEGER,
    message_id INTEGER UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX content_posts_by_kind ON content_posts (kind, created_at);

-- One weekly digest per week (ISO week of the digest day), whatever restarts happen.
CREATE TABLE digest_runs (
    week       TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
