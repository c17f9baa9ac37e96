-- Paid products. Grants stay the one table of truth (who holds what, from when, until when,
-- from what source); a product grant also knows its paid end (the role lasts through grace
-- after it, until `ends_at`).
ALTER TABLE grants ADD COLUMN paid_until INTEGER;
ALTER TABLE grants ADD COLUMN note TEXT;
ALTER TABLE grants ADD COLUMN actor_id INTEGER;
CREATE INDEX grants_by_reference ON grants (reference) WHERE reference IS NOT NULL;
CREATE INDEX grants_by_product ON grants (product, member_id) WHERE ended_at IS NULL;

-- Redeem codes: only the SHA-256 of the canonical code is stored, never the code.
CREATE TABLE redeem_codes (
    hash       TEXT    PRIMARY KEY,
    product    TEXT    NOT NULL,
    -- NULL: the product's own duration.
    duration_s INTEGER,
    max_uses   INTEGER NOT NULL DEFAULT 1 CHECK (max_uses >= 1),
    uses       INTEGER NOT NULL DEFAULT 0 CHECK (uses <= max_uses),
    expires_at INTEGER,
    revoked_at INTEGER,
    -- The /code create call that made it (codes are revoked by batch or one by one).
    batch      INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX redeem_codes_by_product ON redeem_codes (product);

CREATE TABLE code_redemptions (
    code_hash TEXT    NOT NULL REFERENCES redeem_codes (hash),
    member_id INTEGER NOT NULL,
    grant_id  INTEGER,
    at        INTEGER NOT NULL,
    PRIMARY KEY (code_hash, member_id)
);

-- Wrong codes per member, for throttling and the mod log (the text typed is not kept).
CREATE TABLE redeem_failures (
    member_id INTEGER NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX redeem_failures_by_member ON redeem_failures (member_id, at);

-- Stripe events already applied: a replay changes nothing.
CREATE TABLE stripe_events (
    id          TEXT    PRIMARY KEY,
    type        TEXT    NOT NULL,
    received_at INTEGER NOT NULL
);

-- A Stripe subscription (or one-time checkout) and the member and product it pays for.
CREATE TABLE stripe_links (
    subscription_id TEXT    PRIMARY KEY,
    customer_id     TEXT,
    member_id       INTEGER NOT NULL,
    product         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);

-- Money in: Stripe payments and refunds (negative), manual grants and redeemed codes at the
-- product's price, and income recorded by hand (ads, sponsors, revenue share).
CREATE TABLE revenue (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    product      TEXT,
    source       TEXT    NOT NULL,
    -- 'new', 'renewal', 'refund', 'other'
    kind         TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    member_id    INTEGER,
    note         TEXT,
    reference    TEXT    UNIQUE
);
CREATE INDEX revenue_by_time ON revenue (at);

-- Renewal reminders and the grace notice (offset 0), once per paid end.
CREATE TABLE grant_reminders (
    member_id  INTEGER NOT NULL,
    product    TEXT    NOT NULL,
    paid_until INTEGER NOT NULL,
    offset_s   INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (member_id, product, paid_until, offset_s)
);
