-- The web pages: who is who, and who is logged in.

-- Members' names as Discord last showed them (a message's author, a login), for pages that
-- list members (the leaderboard, the staff member list). Written in the activity batches.
CREATE TABLE member_names (
    member_id  INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    avatar     TEXT,
    updated_at INTEGER NOT NULL
);

-- A login in progress: the OAuth2 `state` sent to Discord, bound to the browser that asked by
-- a hash of its pre-login cookie. Used once; older than ten minutes is refused.
CREATE TABLE web_logins (
    state        TEXT    PRIMARY KEY,
    browser_hash TEXT    NOT NULL,
    next_path    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);

-- A logged-in browser. The cookie holds a random id; only its SHA-256 is stored, so a copy of
-- the database opens no session. `in_guild`: the member was in the server at login (else only
-- public pages). Sliding expiry: `expires_at` moves forward as the session is used.
CREATE TABLE web_sessions (
    id_hash    TEXT    PRIMARY KEY,
    member_id  INTEGER NOT NULL,
    locale     TEXT,
    in_guild   INTEGER NOT NULL,
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_by_member ON web_sessions (member_id);

-- A member's personal calendar feed (/me/calendar.ics?token=…): one live token each, stored as
-- its SHA-256. A new one replaces (revokes) the old.
CREATE TABLE web_calendar_tokens (
    member_id  INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
