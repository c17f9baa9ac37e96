-- Money events in any order (issue: trust II).

-- The time a grant added to a chain of stacked purchases (a one-time purchase bought while
-- the last one still ran starts at its end). A refund of one link takes exactly this much out
-- of the links after it. NULL: a dated grant (Stripe's or Discord's own end) or a lifetime.
ALTER TABLE grants ADD COLUMN span_ms INTEGER;

-- The paid end a subscription invoice bought, so a refund of an old invoice ends that period
-- only (never a later one that was paid too); and when a payment was refunded in full.
ALTER TABLE stripe_payments ADD COLUMN period_end INTEGER;
ALTER TABLE stripe_payments ADD COLUMN refunded_at INTEGER;
