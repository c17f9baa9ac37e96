-- Standing schedules from config (`[[schedule]]`): synced into `events` rows under their config
-- id, so their run records stay state while the file stays policy. Commands refuse to edit them.
ALTER TABLE events ADD COLUMN config_id TEXT;
CREATE UNIQUE INDEX events_config_id ON events (config_id) WHERE config_id IS NOT NULL;
