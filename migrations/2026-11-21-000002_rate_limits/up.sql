-- Token buckets shared by every worker process, so a rate limit holds for
-- the whole deployment however many workers run (Stripe limits the account).
CREATE TABLE rate_limits (
    name TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
