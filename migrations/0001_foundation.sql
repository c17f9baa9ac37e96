-- Foundation: staff levels, the audit log and the durable outbox.
-- Instants are UTC unix milliseconds; Discord ids are INTEGER (i64).

-- Staff levels granted to a member or a role (owners come from config and the guild owner).
CREATE TABLE staff_grants (
    guild_id    INTEGER NOT NULL,
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('user', 'role')),
    target_id   INTEGER NOT NULL,
    level       TEXT    NOT NULL CHECK (level IN ('admin', 'moderator')),
    granted_by  INTEGER NOT NULL,
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, target_kind, target_id)
);

-- Every privileged action: who did what to whom, with which arguments, when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    target_kind TEXT,
    target_id   INTEGER,
    arguments   TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);
CREATE INDEX audit_log_by_guild_time ON audit_log (guild_id, created_at DESC);
CREATE INDEX audit_log_by_target ON audit_log (guild_id, target_id, created_at DESC);

-- Discord side effects that must not be lost. Written in the same transaction as the state
-- change that causes them; delivered in id order per ordering key by one worker.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    ordering_key    TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'delivered', 'skipped', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_at      INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX outbox_pending ON outbox (status, ordering_key, id);
