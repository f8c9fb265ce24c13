-- Outside records PostgreSQL cannot store as they are: it refuses NUL in
-- text and jsonb, and Stripe accepts NUL in names, emails and metadata.
-- Such a document is stored escaped, reversibly, and its row is marked so
-- readers get the exact original back (shared-models/src/db/storable.rs).
ALTER TABLE inbound_events ADD COLUMN payload_escaped BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE sync_conflicts ADD COLUMN remote_escaped BOOLEAN NOT NULL DEFAULT false;

-- How each poller is doing, so that one failing every interval shows in
-- webhook-service's /ready and api-service's /sync/status.
ALTER TABLE poll_cursors
    ADD COLUMN last_success_at TIMESTAMPTZ,
    ADD COLUMN last_failure_at TIMESTAMPTZ,
    -- Polls failed in a row since the last success.
    ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN last_error TEXT;
