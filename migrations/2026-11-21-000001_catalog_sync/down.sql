DROP TABLE sync_create_attempts;
DROP TABLE idempotency_keys;
DROP TABLE outbox;
DROP TABLE sync_links;
DROP TABLE customers;
