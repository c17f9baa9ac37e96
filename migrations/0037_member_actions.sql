-- What members did besides writing messages, per member and local day (community time zone):
-- a check-in, a homework hand-in, an RSVP, a question asked or answered, a listen, a challenge
-- check-in, a helpful vote, feedback sent. Renewal care, at-risk lists and the staff page's
-- "quiet" filter count a day with either messages or actions as active.
CREATE TABLE action_daily (
    member_id INTEGER NOT NULL,
    day       TEXT    NOT NULL,
    actions   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, day)
);
CREATE INDEX action_daily_by_day ON action_daily (day);
