use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::idempotency_keys;

/// The response first given to a request with this key.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub request_hash: String,
    pub response_status: i16,
    pub response_body: serde_json::Value,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct NewIdempotencyKey<'a> {
    pub scope: &'a str,
    pub key: &'a str,
    pub request_hash: &'a str,
    pub response_status: i16,
    pub response_body: &'a serde_json::Value,
}

pub async fn find(conn: &mut AsyncPgConnection, scope: &str, key: &str) -> Result<Option<StoredResponse>, diesel::result::Error> {
    idempotency_keys::table.find((scope, key)).select(StoredResponse::as_select()).first(conn).await.optional()
}

/// Stores the response in the request's own transaction. A concurrent twin
/// request blocks on the primary key until this commits, then loses with a
/// unique violation, and replays what is stored here.
pub async fn insert(conn: &mut AsyncPgConnection, row: NewIdempotencyKey<'_>) -> Result<(), diesel::result::Error> {
    diesel::insert_into(idempotency_keys::table).values(row).execute(conn).await?;
    Ok(())
}
