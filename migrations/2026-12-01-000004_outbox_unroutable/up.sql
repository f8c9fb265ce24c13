-- An outbox row that no queue takes (no integration syncs its catalog, or
-- its queue is not declared) is set aside instead of blocking the rows
-- behind it: marked published and unroutable, and counted by /sync/status.
-- A column with a default only: the previous version keeps working.
ALTER TABLE outbox ADD COLUMN unroutable BOOLEAN NOT NULL DEFAULT false;
