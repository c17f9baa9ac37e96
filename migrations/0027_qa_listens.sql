-- 围观: members who paid to read an answer (once each), and the answer's public post, edited
-- with the count of listeners.
CREATE TABLE question_listens (
    question_id INTEGER NOT NULL REFERENCES questions (id),
    member_id   INTEGER NOT NULL,
    price       INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (question_id, member_id)
) WITHOUT ROWID;
CREATE INDEX question_listens_by_member ON question_listens (member_id);
ALTER TABLE questions ADD COLUMN answer_post INTEGER;
