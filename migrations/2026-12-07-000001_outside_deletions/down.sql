DELETE FROM inbound_events WHERE source = 'read';
ALTER TABLE inbound_events DROP CONSTRAINT inbound_events_source_check;
ALTER TABLE inbound_events ADD CONSTRAINT inbound_events_source_check CHECK (source IN ('webhook', 'poll'));
DROP TABLE outside_deletions;
