ALTER TABLE outbox DROP COLUMN unroutable;
