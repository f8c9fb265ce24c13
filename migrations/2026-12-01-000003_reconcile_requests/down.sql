UPDATE reconcile_runs SET status = 'failed', finished_at = now(), error = 'requested, never run (migrated down)'
    WHERE status = 'requested';
DROP INDEX reconcile_runs_one_running;
CREATE UNIQUE INDEX reconcile_runs_one_running ON reconcile_runs (status) WHERE status = 'running';
ALTER TABLE reconcile_runs DROP CONSTRAINT reconcile_runs_check;
ALTER TABLE reconcile_runs ADD CONSTRAINT reconcile_runs_check CHECK ((status = 'running') = (finished_at IS NULL));
ALTER TABLE reconcile_runs DROP CONSTRAINT reconcile_runs_status_check;
ALTER TABLE reconcile_runs ADD CONSTRAINT reconcile_runs_status_check CHECK (status IN ('running', 'finished', 'failed'));
