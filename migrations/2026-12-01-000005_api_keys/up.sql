-- API keys: bearer tokens with scopes. Only a SHA-256 of each key is kept
-- (keys are 256 random bits, so a fast hash is enough); the key itself is
-- shown once, when it is created. A new table only: the previous version
-- of each service keeps working.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- The key's first characters, to tell keys apart in a listing.
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    scopes TEXT[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'operate']::TEXT[] AND cardinality(scopes) > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
