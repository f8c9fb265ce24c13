DROP TABLE poll_cursors;
DROP TABLE sync_conflicts;
DROP TABLE inbound_events;
ALTER TABLE sync_links
    DROP COLUMN remote_event_id,
    DROP COLUMN remote_event_at,
    DROP COLUMN pushed_fingerprint,
    DROP COLUMN pushed_version;
