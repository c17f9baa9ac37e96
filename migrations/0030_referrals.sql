-- Referral credit: each member's personal code, and who referred whom (one referrer per
-- member, first claim wins). The credit is given once, at the referred member's first payment,
-- and reversed if that payment is refunded or lost in a dispute within `[referrals] hold`.
CREATE TABLE referral_codes (
    member_id  INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE referrals (
    referred_id     INTEGER PRIMARY KEY,
    referrer_id     INTEGER NOT NULL,
    claimed_at      INTEGER NOT NULL,
    -- The Stripe payment (stripe_payments.id) that earned the credit.
    payment_id      INTEGER,
    -- 'points' or 'days', and how many; what was actually given ('days' needs a current
    -- product: 0 when the referrer had none).
    credit_kind     TEXT,
    credit_amount   INTEGER,
    credit_given    INTEGER,
    credited_at     INTEGER,
    reversed_at     INTEGER,
    -- Points taken back on reversal (a referrer may have spent some: never below zero).
    reversed_amount INTEGER
);
CREATE INDEX referrals_by_referrer ON referrals (referrer_id);
CREATE UNIQUE INDEX referrals_by_payment ON referrals (payment_id) WHERE payment_id IS NOT NULL;
