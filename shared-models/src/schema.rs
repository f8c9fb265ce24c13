// @generated automatically by Diesel CLI.

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    customers (id) {
        id -> Uuid,
        name -> Text,
        email -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        response_status -> Int2,
        response_body -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    inbound_events (integration, event_id) {
        integration -> Text,
        event_id -> Text,
        event_type -> Text,
        event_created -> Int8,
        payload -> Jsonb,
        source -> Text,
        status -> Text,
        detail -> Nullable<Text>,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        received_at -> Timestamptz,
        processed_at -> Nullable<Timestamptz>,
        payload_escaped -> Bool,
    }
}

diesel::table! {
    invoices (id) {
        id -> Uuid,
        customer_id -> Uuid,
        currency -> Text,
        description -> Nullable<Text>,
        collection_method -> Text,
        days_until_due -> Nullable<Int4>,
        status -> Text,
        lines -> Jsonb,
        metadata -> Jsonb,
        number -> Nullable<Text>,
        total -> Nullable<Int8>,
        amount_due -> Nullable<Int8>,
        amount_paid -> Nullable<Int8>,
        amount_remaining -> Nullable<Int8>,
        hosted_invoice_url -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Int8,
        message_id -> Uuid,
        entity_type -> Text,
        entity_id -> Uuid,
        operation -> Text,
        entity_version -> Int8,
        payload -> Jsonb,
        created_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
        unroutable -> Bool,
    }
}

diesel::table! {
    outside_deletions (id) {
        id -> Uuid,
        integration -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        external_id -> Text,
        state -> Text,
        event_id -> Text,
        detail -> Nullable<Text>,
        recorded_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    poll_cursors (name) {
        name -> Text,
        created_from -> Int8,
        updated_at -> Timestamptz,
        last_success_at -> Nullable<Timestamptz>,
        last_failure_at -> Nullable<Timestamptz>,
        consecutive_failures -> Int4,
        last_error -> Nullable<Text>,
        missed -> Nullable<Text>,
        missed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    rate_limits (name) {
        name -> Text,
        tokens -> Float8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    reconcile_runs (id) {
        id -> Uuid,
        started_by -> Text,
        dry_run -> Bool,
        status -> Text,
        started_at -> Timestamptz,
        heartbeat_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        summary -> Jsonb,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    remote_deletions (integration, entity_type, external_id) {
        integration -> Text,
        entity_type -> Text,
        external_id -> Text,
        event_id -> Text,
        event_created -> Int8,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    sync_conflicts (integration, entity_type, external_id) {
        integration -> Text,
        entity_type -> Text,
        external_id -> Text,
        entity_id -> Nullable<Uuid>,
        problem -> Text,
        remote -> Jsonb,
        event_id -> Text,
        event_created -> Int8,
        detected_at -> Timestamptz,
        remote_escaped -> Bool,
    }
}

diesel::table! {
    sync_create_attempts (integration, entity_type, entity_id, lookup_key) {
        integration -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        lookup_key -> Text,
        attempted_at -> Timestamptz,
    }
}

diesel::table! {
    sync_links (integration, entity_type, entity_id) {
        integration -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        external_id -> Nullable<Text>,
        status -> Text,
        last_error -> Nullable<Text>,
        attempts -> Int4,
        synced_version -> Int8,
        synced_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        pushed_version -> Int8,
        pushed_fingerprint -> Nullable<Text>,
        remote_event_at -> Nullable<Int8>,
        remote_event_id -> Nullable<Text>,
    }
}

diesel::table! {
    sync_writes (integration, entity_type, entity_id) {
        integration -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        operation -> Text,
        entity_version -> Int8,
        idempotency_key -> Text,
        external_id -> Nullable<Text>,
        request -> Jsonb,
        fingerprint -> Nullable<Text>,
        sends -> Int4,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        last_sent_at -> Nullable<Timestamptz>,
        unmodified_since -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(invoices -> customers (customer_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    customers,
    idempotency_keys,
    inbound_events,
    invoices,
    outbox,
    outside_deletions,
    poll_cursors,
    rate_limits,
    reconcile_runs,
    remote_deletions,
    sync_conflicts,
    sync_create_attempts,
    sync_links,
    sync_writes,
);
