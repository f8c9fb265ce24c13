-- Outside records known to be deleted before any local record stood for
-- them. Events are not delivered in order: a delete can be applied before
-- the create it follows (the create's webhook lost, then found by the
-- poller). A later-arriving older event of such a record must not bring it
-- in, since a delete is final. Kept as long as the inbox keeps events.
CREATE TABLE remote_deletions (
    integration TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    external_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_created BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (integration, entity_type, external_id)
);
