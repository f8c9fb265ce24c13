-- The invoice catalog: a product's own invoices, each of one of its
-- customers, synced with Stripe invoices. A new table only: the previous
-- version of each service never reads it.
CREATE TABLE invoices (
    -- Ours alone (UUIDv7: sorts by creation, the pagination cursor).
    id UUID PRIMARY KEY,
    -- Customers are soft deleted, so the row a tombstone keeps still exists.
    customer_id UUID NOT NULL REFERENCES customers (id),
    -- ISO 4217, lower-case, as Stripe writes it.
    currency TEXT NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    description TEXT,
    collection_method TEXT NOT NULL DEFAULT 'charge_automatically'
        CHECK (collection_method IN ('charge_automatically', 'send_invoice')),
    -- Set with send_invoice only (Stripe refuses it with charge_automatically).
    days_until_due INTEGER CHECK (days_until_due BETWEEN 0 AND 3650),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'paid', 'uncollectible', 'void')),
    -- [{"id", "description", "quantity", "unit_amount"}]: edited as a whole
    -- while a draft, and versioned with the invoice it belongs to.
    lines JSONB NOT NULL DEFAULT '[]',
    -- String keys and values, as Stripe's metadata.
    metadata JSONB NOT NULL DEFAULT '{}',
    -- Mirrored from Stripe, read only here: null until Stripe has said.
    number TEXT,
    total BIGINT,
    amount_due BIGINT,
    amount_paid BIGINT,
    amount_remaining BIGINT,
    hosted_invoice_url TEXT,
    -- Bumped on every change the integrations must see; compared with what
    -- each integration last confirmed, as for customers.
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A deleted draft stays as a tombstone until Stripe's copy is deleted,
    -- and so that a late event cannot bring it back.
    deleted_at TIMESTAMPTZ
);
-- GET /invoices?customer_id=..., and the check that refuses deleting a
-- customer with unsettled invoices.
CREATE INDEX invoices_customer_idx ON invoices (customer_id, id) WHERE deleted_at IS NULL;
CREATE INDEX invoices_status_idx ON invoices (status, id) WHERE deleted_at IS NULL;
