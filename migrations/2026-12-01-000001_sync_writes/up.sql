-- The outward write journal: per (integration, entity), the one write whose
-- outcome is not known yet. It is committed, with its idempotency key and
-- the exact record it sends, before the request goes out, and removed once
-- the integration answered for certain (done, or refused). Until then the
-- worker sends that same request again, never a newer one: a late original
-- then lands as a replay of its key, a no-op. Inward, an event carrying
-- what this row sends is our own write coming back.
--
-- A new table only: the previous version of every service keeps working
-- while this one rolls out (its workers simply do not journal).
CREATE TABLE sync_writes (
    integration TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id UUID NOT NULL,
    operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    -- The version of the entity the write carries.
    entity_version BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    -- The outside record written to (updates and deletes).
    external_id TEXT,
    -- The record as sent: a resend is built from it, so it carries exactly
    -- the same parameters under the same key.
    request JSONB NOT NULL,
    -- Fingerprint of the synced fields it writes (none for a delete).
    fingerprint TEXT,
    sends INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sent_at TIMESTAMPTZ,
    PRIMARY KEY (integration, entity_type, entity_id)
);
