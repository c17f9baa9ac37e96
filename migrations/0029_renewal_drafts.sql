-- Renewal care: the drafted renewal messages staff sent, once per member, product and paid
-- period (the paid end the draft was about).
CREATE TABLE renewal_drafts_sent (
    member_id  INTEGER NOT NULL,
    product    TEXT NOT NULL,
    paid_until INTEGER NOT NULL,
    sent_by    INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (member_id, product, paid_until)
) WITHOUT ROWID;
