-- The weekly report of each week (its Monday, local date) goes to staff once.
CREATE TABLE weekly_reports (
    week    TEXT    PRIMARY KEY,
    sent_at INTEGER NOT NULL
);
