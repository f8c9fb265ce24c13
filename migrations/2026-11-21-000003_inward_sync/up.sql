-- Inward sync: what each integration sends us. Only additions, so the
-- previous version of every service keeps working while this one rolls out.

-- What we last wrote to the integration, and the newest of its events we
-- took into account: how an echo of our own write, and an event older than
-- one already applied, are recognised.
ALTER TABLE sync_links
    ADD COLUMN pushed_version BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN pushed_fingerprint TEXT,
    ADD COLUMN remote_event_at BIGINT,
    ADD COLUMN remote_event_id TEXT;

-- The inbox: every event received (webhook) or fetched (poll), keyed by the
-- integration's event id, so a duplicate delivery is answered and dropped.
-- A row is stored before the sender gets its 2xx and applied afterwards.
CREATE TABLE inbound_events (
    integration TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- The event's own `created` (unix seconds, one-second resolution).
    event_created BIGINT NOT NULL,
    payload JSONB NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('webhook', 'poll')),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'applied', 'skipped', 'ignored', 'rejected', 'failed')),
    -- Why it was skipped, ignored or rejected, or the last error.
    detail TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ,
    PRIMARY KEY (integration, event_id)
);
CREATE INDEX inbound_events_pending_idx ON inbound_events (event_created, received_at) WHERE status = 'pending';

-- Outside records that break a local rule (no email, an email another
-- customer has, ...): kept here, visible through the API, until a later
-- event fixes them. `event_created` doubles as the record's high-water mark.
CREATE TABLE sync_conflicts (
    integration TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    external_id TEXT NOT NULL,
    entity_id UUID,
    problem TEXT NOT NULL,
    remote JSONB NOT NULL,
    event_id TEXT NOT NULL,
    event_created BIGINT NOT NULL,
    detected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (integration, entity_type, external_id)
);
CREATE INDEX sync_conflicts_entity_idx ON sync_conflicts (entity_type, entity_id) WHERE entity_id IS NOT NULL;

-- Where each poller of an integration's event list has read up to.
CREATE TABLE poll_cursors (
    name TEXT PRIMARY KEY,
    -- Events created at or after this (unix seconds) are still to be read.
    created_from BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
