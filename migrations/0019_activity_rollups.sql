-- Per day, the members with a message and the messages; per member, the last day with a
-- message. Triggers keep both as the activity flush writes `activity_daily` (every 30 s and
-- before a read; never on the message hot path). The overview (`/stats`, the web staff page)
-- counted 30 days of `activity_daily` rows three times per view, and with a year of activity
-- from 100,000 members that is 300,000 rows each time. Activity only grows: rows are upserted
-- with more messages, never lowered or deleted.
CREATE TABLE activity_days (
    day      TEXT PRIMARY KEY,
    members  INTEGER NOT NULL,
    messages INTEGER NOT NULL
);
CREATE TABLE member_last_active (
    member_id INTEGER PRIMARY KEY,
    day       TEXT NOT NULL
);
CREATE INDEX member_last_active_by_day ON member_last_active (day);

INSERT INTO activity_days (day, members, messages)
SELECT day, COUNT(*), SUM(messages) FROM activity_daily WHERE messages > 0 GROUP BY day;
INSERT INTO member_last_active (member_id, day)
SELECT member_id, MAX(day) FROM activity_daily WHERE messages > 0 GROUP BY member_id;

CREATE TRIGGER activity_daily_counted AFTER INSERT ON activity_daily WHEN NEW.messages > 0
BEGIN
    INSERT INTO activity_days (day, members, messages) VALUES (NEW.day, 1, NEW.messages)
        ON CONFLICT (day) DO UPDATE SET members = members + 1,
                                        messages = messages + excluded.messages;
    INSERT INTO member_last_active (member_id, day) VALUES (NEW.member_id, NEW.day)
        ON CONFLICT (member_id) DO UPDATE SET day = MAX(day, excluded.day);
END;

CREATE TRIGGER activity_daily_recounted AFTER UPDATE OF messages ON activity_daily
BEGIN
    INSERT INTO activity_days (day, members, messages)
        VALUES (NEW.day, (NEW.messages > 0) - (OLD.messages > 0), NEW.messages - OLD.messages)
        ON CONFLICT (day) DO UPDATE SET members = members + excluded.members,
                                        messages = messages + excluded.messages;
    INSERT INTO member_last_active (member_id, day)
        SELECT NEW.member_id, NEW.day WHERE NEW.messages > 0
        ON CONFLICT (member_id) DO UPDATE SET day = MAX(day, excluded.day);
END;
