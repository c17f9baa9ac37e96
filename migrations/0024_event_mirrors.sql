-- Events mirrored into Discord's Events tab (guild scheduled events). `events.mirror` is the
-- per-event choice (NULL: as `[events] mirror_to_discord` says). One mirror row per event:
-- its current occurrence in Discord, the body last sent, and the outbox item that created it
-- (that item keeps Discord's event id, as a posted message keeps its message id).
ALTER TABLE events ADD COLUMN mirror INTEGER;

CREATE TABLE event_mirrors (
    event_id      INTEGER PRIMARY KEY REFERENCES events (id),
    occurrence_at INTEGER NOT NULL,
    body          TEXT NOT NULL,
    outbox_id     INTEGER NOT NULL,
    cancelled     INTEGER NOT NULL DEFAULT 0
);
