-- Deletes taken in from an integration, and the ones the mass-deletion
-- guard held back: an integration that suddenly reports many deletions (a
-- bulk delete, a sync user that lost access) must not empty the catalog,
-- and through it every other integration. A held delete changes nothing
-- until an operator releases it (the record is then read back and the
-- delete taken in) or discards it (the entity stays, and is written there
-- again). Applied ones are counted for the guard's window, then pruned
-- with the inbox.
CREATE TABLE outside_deletions (
    id UUID PRIMARY KEY,
    integration TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id UUID NOT NULL,
    external_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('applied', 'held', 'released', 'discarded')),
    -- The event (or read) that reported the delete.
    event_id TEXT NOT NULL,
    -- Why it was held.
    detail TEXT,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at TIMESTAMPTZ
);
CREATE INDEX outside_deletions_recent ON outside_deletions (integration, recorded_at);
-- One undecided (or released, not yet taken) delete per entity and integration.
CREATE UNIQUE INDEX outside_deletions_open ON outside_deletions (integration, entity_type, entity_id)
    WHERE state IN ('held', 'released');

-- A read of one record asked for by the sync itself (the outward side met a
-- delete, an operator released a held one) goes through the inbox too.
ALTER TABLE inbound_events DROP CONSTRAINT inbound_events_source_check;
ALTER TABLE inbound_events ADD CONSTRAINT inbound_events_source_check CHECK (source IN ('webhook', 'poll', 'read'));
