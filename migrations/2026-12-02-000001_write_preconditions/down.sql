ALTER TABLE sync_writes DROP COLUMN unmodified_since;
