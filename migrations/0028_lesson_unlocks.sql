-- Drip-released course lessons: each member's unlocks (lesson = its position in the course's
-- [[products.lessons]]), written once with the DM (and lesson role) that announce it.
CREATE TABLE lesson_unlocks (
    member_id   INTEGER NOT NULL,
    product     TEXT NOT NULL,
    lesson      INTEGER NOT NULL,
    unlocked_at INTEGER NOT NULL,
    PRIMARY KEY (member_id, product, lesson)
) WITHOUT ROWID;
