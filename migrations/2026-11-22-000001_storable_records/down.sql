ALTER TABLE poll_cursors
    DROP COLUMN last_error,
    DROP COLUMN consecutive_failures,
    DROP COLUMN last_failure_at,
    DROP COLUMN last_success_at;
ALTER TABLE sync_conflicts DROP COLUMN remote_escaped;
ALTER TABLE inbound_events DROP COLUMN payload_escaped;
