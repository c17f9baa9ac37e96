-- Points for participation: the ledger (every balance change), each member's totals, helpful
-- votes, shop orders, and timed grants (one table for every "role until instant T").

-- Every change to a member's points. `delta` moves the spendable balance; `lifetime_delta`
-- moves lifetime earned (levels and ranks). `reference` makes an award happen once
-- (`checkin:<member>:<date>`, `helpful:<message>`, `chat:<message>`, `order:<id>`).
CREATE TABLE points_ledger (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL,
    delta          INTEGER NOT NULL,
    lifetime_delta INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    reason         TEXT,
    reference      TEXT UNIQUE,
    actor_id       INTEGER,
    channel_id     INTEGER,
    created_at     INTEGER NOT NULL
);
CREATE INDEX points_ledger_by_member ON points_ledger (member_id, id DESC);
CREATE INDEX points_ledger_by_time ON points_ledger (created_at);

-- Each member's totals, kept in step with the ledger in the same transaction.
CREATE TABLE points_members (
    member_id    INTEGER PRIMARY KEY,
    balance      INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    lifetime     INTEGER NOT NULL DEFAULT 0,
    -- The level whose roles and announcement were applied.
    level        INTEGER NOT NULL DEFAULT 0,
    streak       INTEGER NOT NULL DEFAULT 0,
    -- The community-local date (YYYY-MM-DD) of the last check-in.
    last_checkin TEXT,
    freezes      INTEGER NOT NULL DEFAULT 0,
    -- The member's Discord language when last seen, for level-up announcements.
    locale       TEXT
);
CREATE INDEX points_members_by_lifetime ON points_members (lifetime DESC);

-- Helpful-answer reactions: one vote per voter per message.
CREATE TABLE helpful_votes (
    message_id INTEGER NOT NULL,
    voter_id   INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, voter_id)
);

-- Shop purchases.
CREATE TABLE shop_orders (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL,
    item_id     TEXT    NOT NULL,
    price       INTEGER NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('completed', 'awaiting', 'fulfilled', 'refunded')),
    created_at  INTEGER NOT NULL,
    finished_at INTEGER,
    finished_by INTEGER
);
CREATE INDEX shop_orders_by_item ON shop_orders (item_id, status);
CREATE INDEX shop_orders_by_member ON shop_orders (member_id, id DESC);

-- Timed access: member X holds role R until T (NULL: no end), from a source. Shop trials now;
-- paid products later, unchanged. One expiry job removes the role when no grant covers it.
CREATE TABLE grants (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    product    TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    reference  TEXT,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER,
    ended_at   INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX grants_open_by_end ON grants (ends_at) WHERE ended_at IS NULL;
CREATE INDEX grants_by_member ON grants (member_id, role_id);
