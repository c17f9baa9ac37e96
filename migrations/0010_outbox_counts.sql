-- /healthz and /metrics read the count per status from here instead of counting the table (a
-- month of delivered items is millions of rows, and a count scans them all). Kept exact by
-- triggers, whatever writes the table.
CREATE TABLE outbox_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0);
INSERT INTO outbox_counts (status, n) VALUES ('pending', 0), ('delivered', 0), ('skipped', 0), ('failed', 0);
UPDATE outbox_counts SET n = (SELECT COUNT(*) FROM outbox o WHERE o.status = outbox_counts.status);

CREATE TRIGGER outbox_count_on_insert AFTER INSERT ON outbox
BEGIN
    INSERT OR IGNORE INTO outbox_counts (status, n) VALUES (NEW.status, 0);
    UPDATE outbox_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER outbox_count_on_status AFTER UPDATE OF status ON outbox
WHEN OLD.status != NEW.status
BEGIN
    UPDATE outbox_counts SET n = n - 1 WHERE status = OLD.status;
    INSERT OR IGNORE INTO outbox_counts (status, n) VALUES (NEW.status, 0);
    UPDATE outbox_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER outbox_count_on_delete AFTER DELETE ON outbox
BEGIN
    UPDATE outbox_counts SET n = n - 1 WHERE status = OLD.status;
END;

-- The oldest pending item, for /healthz, without visiting finished ones.
CREATE INDEX outbox_pending_created ON outbox (created_at) WHERE status = 'pending';
