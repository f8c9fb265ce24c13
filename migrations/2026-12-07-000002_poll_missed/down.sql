ALTER TABLE poll_cursors DROP COLUMN missed, DROP COLUMN missed_at;
