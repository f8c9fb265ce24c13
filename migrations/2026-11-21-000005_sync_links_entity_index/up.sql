-- Reading a customer (the API's every answer) reads its links by entity,
-- without naming the integration, which leads the primary key: without this
-- index that read scanned every link, and slowed down as the catalog grew.
-- Built CONCURRENTLY (outside a transaction, see metadata.toml), so running
-- services keep writing links while it builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS sync_links_entity_idx ON sync_links (entity_type, entity_id);
