-- Each member's language as Discord last told it (every slash command, button press, form,
-- web login and the web's language switch): every message to a member — DMs from jobs
-- included — goes out in it. Seeded from the language `/checkin` remembered before.
CREATE TABLE member_locales (
    member_id  INTEGER PRIMARY KEY,
    locale     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO member_locales (member_id, locale, updated_at)
SELECT member_id, locale, 0 FROM points_members WHERE locale IS NOT NULL;
