-- The product's own customer catalog. `id` belongs to us alone (UUIDv7, so it
-- sorts by creation time and serves as the pagination cursor).
CREATE TABLE customers (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    -- Bumped on every change; the sync compares it with what each
    -- integration last confirmed, so stale or duplicate messages are no-ops.
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A tombstone instead of a DELETE: the worker still needs the row to
    -- delete the customer in Stripe, and a late event must not resurrect it.
    deleted_at TIMESTAMPTZ
);
-- Emails are unique among live customers (stored lower-cased).
CREATE UNIQUE INDEX customers_live_email_key ON customers (email) WHERE deleted_at IS NULL;

-- One row per (integration, catalog entity): the link to the outside record
-- and the state of its sync. Integration and entity type are data, not schema.
CREATE TABLE sync_links (
    integration TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id UUID NOT NULL,
    external_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'synced', 'failed')),
    last_error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- The entity version the outside system is known to hold.
    synced_version BIGINT NOT NULL DEFAULT 0,
    synced_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (integration, entity_type, entity_id)
);
CREATE UNIQUE INDEX sync_links_external_key ON sync_links (integration, entity_type, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX sync_links_status_idx ON sync_links (integration, entity_type, status);

-- Transactional outbox: written in the same transaction as the change, then
-- published to RabbitMQ by the relay, which marks a row only once confirmed.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    message_id UUID NOT NULL UNIQUE,
    entity_type TEXT NOT NULL,
    entity_id UUID NOT NULL,
    operation TEXT NOT NULL,
    entity_version BIGINT NOT NULL,
    payload JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Responses to requests that carried an Idempotency-Key header.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status SMALLINT NOT NULL,
    response_body JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

-- Every lookup key (e.g. email) an outside create was attempted with, written
-- before the call: a worker killed before it recorded the result leaves the
-- next attempt enough to find the record it made instead of making another.
CREATE TABLE sync_create_attempts (
    integration TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id UUID NOT NULL,
    lookup_key TEXT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (integration, entity_type, entity_id, lookup_key)
);
