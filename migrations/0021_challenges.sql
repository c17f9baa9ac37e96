-- 打卡 check-in challenges. Each day's prompt instant and deadline are computed once, at
-- creation, in the community's zone (DST-correct); the scheduler posts a day by setting
-- `posted_at` in the same transaction as the outbox row, so a day is posted exactly once
-- across restarts. A day whose deadline passed before it could be posted (the bot was down)
-- is `skipped`: nobody could check in, so it counts for nobody and against nobody.
CREATE TABLE challenges (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    days            INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    prompts         TEXT NOT NULL DEFAULT '[]',
    excused_days    INTEGER NOT NULL DEFAULT 0,
    completion_role INTEGER,
    -- active, finished
    status          TEXT NOT NULL DEFAULT 'active',
    -- the last day's deadline: finishers are decided then
    ends_at         INTEGER NOT NULL,
    created_by      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX challenges_ending ON challenges (ends_at) WHERE status = 'active';

CREATE TABLE challenge_days (
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    day          INTEGER NOT NULL,
    opens_at     INTEGER NOT NULL,
    closes_at    INTEGER NOT NULL,
    posted_at    INTEGER,
    skipped      INTEGER NOT NULL DEFAULT 0,
    outbox_id    INTEGER,
    PRIMARY KEY (challenge_id, day)
) WITHOUT ROWID;
CREATE INDEX challenge_days_due ON challenge_days (opens_at) WHERE posted_at IS NULL;

CREATE TABLE challenge_members (
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    member_id    INTEGER NOT NULL,
    joined_at    INTEGER NOT NULL,
    excuses_used INTEGER NOT NULL DEFAULT 0,
    finished_at  INTEGER,
    PRIMARY KEY (challenge_id, member_id)
) WITHOUT ROWID;
CREATE INDEX challenge_members_by_member ON challenge_members (member_id);

-- One row per member and day: a check-in (text, optional link) or an excuse (请假).
CREATE TABLE challenge_checkins (
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    member_id    INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT,
    link         TEXT,
    at           INTEGER NOT NULL,
    PRIMARY KEY (challenge_id, member_id, day)
) WITHOUT ROWID;
CREATE INDEX challenge_checkins_by_member ON challenge_checkins (member_id);
