-- The API asks for a reconcile; webhook-service, which owns the inward side,
-- claims the request and runs it. A `requested` run has no finish yet, like
-- a running one, and is one of the runs of which only one may be active.
-- The index keeps its name: a previous api-service still running next to
-- this version recognises its refusal by that name.
ALTER TABLE reconcile_runs DROP CONSTRAINT reconcile_runs_status_check;
ALTER TABLE reconcile_runs ADD CONSTRAINT reconcile_runs_status_check
    CHECK (status IN ('requested', 'running', 'finished', 'failed'));
ALTER TABLE reconcile_runs DROP CONSTRAINT reconcile_runs_check;
ALTER TABLE reconcile_runs ADD CONSTRAINT reconcile_runs_check
    CHECK ((status IN ('requested', 'running')) = (finished_at IS NULL));
DROP INDEX reconcile_runs_one_running;
CREATE UNIQUE INDEX reconcile_runs_one_running ON reconcile_runs ((true)) WHERE status IN ('requested', 'running');
