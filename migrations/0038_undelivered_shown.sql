-- A DM Discord refused (the member's DMs are closed) is shown to the member once as an
-- ephemeral note at their next command; this remembers which were shown. (`/me` keeps
-- listing them all.)
CREATE TABLE undelivered_shown (
    outbox_id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL,
    shown_at  INTEGER NOT NULL
);
