-- 精华: messages staff added to the curated index, by topic. A row starts as a draft (topic
-- NULL) when the context menu opens the topic modal, and is published by the modal's submit.
CREATE TABLE highlights (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL UNIQUE,
    channel_id INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    topic      TEXT,
    title      TEXT NOT NULL,
    excerpt    TEXT NOT NULL,
    added_by   INTEGER NOT NULL,
    added_at   INTEGER NOT NULL
);
CREATE INDEX highlights_by_topic ON highlights (topic, id) WHERE topic IS NOT NULL;
CREATE INDEX highlights_by_author ON highlights (author_id);

-- The index messages in `channels.highlights`: one or more parts per topic (Discord's size
-- limits), each the outbox post that is edited in place.
CREATE TABLE highlight_index (
    topic     TEXT NOT NULL,
    part      INTEGER NOT NULL,
    outbox_id INTEGER NOT NULL,
    PRIMARY KEY (topic, part)
) WITHOUT ROWID;

-- "Start here": sent once per member. The cursor is the last grant the job looked at; it
-- starts at the newest grant, so members who paid before this feature are not messaged.
CREATE TABLE start_here_sent (
    member_id INTEGER PRIMARY KEY,
    product   TEXT NOT NULL,
    items     INTEGER NOT NULL,
    sent_at   INTEGER NOT NULL
);
CREATE TABLE start_here_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_grant_id INTEGER NOT NULL
);
INSERT INTO start_here_cursor (id, last_grant_id) SELECT 1, COALESCE(MAX(id), 0) FROM grants;
