-- Whether Stripe deleted a customer the catalog does not know: a delete is
-- final, also when it was applied before the customer's older events came
-- in (their webhooks missed, the poller catching up later), and the stored
-- `customer.deleted` is what remembers it. Partial: only deletes, looked up
-- by the Stripe object's id. Built CONCURRENTLY (outside a transaction, see
-- metadata.toml), so running services keep storing events while it builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS inbound_events_deleted_object_idx
    ON inbound_events (integration, (payload->'data'->'object'->>'id'))
    WHERE event_type = 'customer.deleted';
