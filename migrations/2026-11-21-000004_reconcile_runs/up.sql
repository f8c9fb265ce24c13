-- Reconcile runs, whoever started them (api-service or the `webhook-service
-- reconcile` command), so every instance lists them and they outlive a
-- restart. A new table only: the previous version of each service keeps
-- working while this one rolls out (it keeps its runs in memory meanwhile).
CREATE TABLE reconcile_runs (
    id UUID PRIMARY KEY,
    started_by TEXT NOT NULL CHECK (started_by IN ('api', 'command')),
    dry_run BOOLEAN NOT NULL,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'failed')),
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Moved on by the running process while it works (with the summary so
    -- far): a running row whose heartbeat has stopped belongs to a process
    -- that died.
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    summary JSONB NOT NULL,
    error TEXT,
    CHECK ((status = 'running') = (finished_at IS NULL))
);

-- One run at a time across every process: a second start fails on this
-- index instead of racing the first.
CREATE UNIQUE INDEX reconcile_runs_one_running ON reconcile_runs (status) WHERE status = 'running';
CREATE INDEX reconcile_runs_started_at_idx ON reconcile_runs (started_at DESC);
