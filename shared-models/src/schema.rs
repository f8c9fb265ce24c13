// @generated automatically by Diesel CLI.

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
    }
}

diesel::allow_tables_to_appear_in_same_query!(customers, idempotency_keys, outbox, rate_limits, sync_create_attempts, sync_links,);
