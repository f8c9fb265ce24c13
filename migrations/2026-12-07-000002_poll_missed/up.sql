-- Changes a poller could not read any more (Salesforce's delete log purged
-- before it was read): shown with the poller until someone looks, since a
-- reconcile is then needed to see what differs.
ALTER TABLE poll_cursors ADD COLUMN missed TEXT, ADD COLUMN missed_at TIMESTAMPTZ;
