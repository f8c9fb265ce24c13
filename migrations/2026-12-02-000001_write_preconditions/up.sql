-- An update may be sent on the condition that the outside record did not
-- change after this time (HTTP If-Unmodified-Since): the later edit wins.
-- Journaled with the write, so a resend carries the same condition.
-- Nullable: a service of the previous version neither writes nor reads it.
ALTER TABLE sync_writes ADD COLUMN unmodified_since timestamptz;
