-- Stripe, as Stripe really sends it: every payment is matched to the purchase it paid for (so a
-- refund or dispute ends only the access that payment bought), events that arrive before what
-- they refer to are kept until it is known, and a payment that cannot be matched is listed.

-- Each Stripe payment Lyceum has matched: a one-time checkout (source `cs_…`) or a subscription
-- invoice (source `in_…`). `purchase` is the stripe_links key (a subscription id or `cs:…`);
-- the grants it paid for carry the reference `stripe:{purchase}`.
CREATE TABLE stripe_payments (
    id               INTEGER PRIMARY KEY,
    source_id        TEXT    NOT NULL UNIQUE,
    purchase         TEXT    NOT NULL,
    payment_intent   TEXT    UNIQUE,
    charge_id        TEXT    UNIQUE,
    member_id        INTEGER NOT NULL,
    product          TEXT    NOT NULL,
    amount_minor     INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    -- The open or closed dispute: its id, status, and when it ended access (to restore on `won`).
    dispute_id       TEXT,
    dispute_status   TEXT,
    dispute_ended_at INTEGER,
    at               INTEGER NOT NULL
);
CREATE INDEX stripe_payments_by_purchase ON stripe_payments (purchase);

-- Stripe's latest stated paid end of a subscription (never our own arithmetic), and whether it
-- renews by itself (no renewal reminders then).
ALTER TABLE stripe_links ADD COLUMN period_end INTEGER;
ALTER TABLE stripe_links ADD COLUMN renews INTEGER NOT NULL DEFAULT 1;
-- One-time checkouts waiting for a delayed payment method (`payment_status = unpaid`).
ALTER TABLE stripe_links ADD COLUMN awaiting_payment INTEGER NOT NULL DEFAULT 0;

-- Events that refer to something not yet known (an `invoice.paid` before its checkout): kept,
-- not marked done, and applied when `waits_for` becomes known.
CREATE TABLE stripe_deferred (
    event_id    TEXT    PRIMARY KEY,
    type        TEXT    NOT NULL,
    waits_for   TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    amount_minor INTEGER,
    currency    TEXT,
    received_at INTEGER NOT NULL
);
CREATE INDEX stripe_deferred_by_key ON stripe_deferred (waits_for);

-- Money Stripe moved that Lyceum could not match to a member and product: shown to admins
-- (`/membership unmatched`, the mod log, `/revenue show`) until someone resolves it by hand.
CREATE TABLE stripe_unmatched (
    id             INTEGER PRIMARY KEY,
    event_id       TEXT    NOT NULL UNIQUE,
    type           TEXT    NOT NULL,
    object_id      TEXT    NOT NULL,
    payment_intent TEXT,
    customer       TEXT,
    member_id      INTEGER,
    amount_minor   INTEGER NOT NULL,
    currency       TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    at             INTEGER NOT NULL
);

-- When a member left the server (NULL while they are in it): a payment from someone who left is
-- granted (a rejoin restores the role) and reported, so staff can reach out or refund.
ALTER TABLE member_joins ADD COLUMN left_at INTEGER;
