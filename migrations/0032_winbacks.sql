-- Win-back offers: one redeem code per member and lapse (the paid end that ran out), sent once.
CREATE TABLE winbacks_sent (
    member_id  INTEGER NOT NULL,
    product    TEXT    NOT NULL,
    lapsed_at  INTEGER NOT NULL,
    batch      INTEGER NOT NULL,
    sent_by    INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (member_id, product, lapsed_at)
) WITHOUT ROWID;
