//! A read of one outside record, asked for by the outward side when the
//! integration answered a write with "deleted". The outward side never
//! deletes anything itself: it puts this request in the inbox, and the
//! inward side reads the record back and applies what it finds by the
//! inward rules, so such a delete is confirmed by a read, ordered with the
//! record's events, and passes the mass-deletion guard like any other
//! delete from outside.

use diesel_async::AsyncPgConnection;
use serde_json::{json, Value};

use super::Envelope;
use crate::SyncError;

/// The kind of the inbox event that asks for the read. No integration
/// names its events so (they are `customer.*`, `invoice.*`, `contact.*`).
pub const KIND: &str = "catalog-sync.read";

/// Asks the inward side to read `external_id` back and apply it. The
/// request is keyed by the write that met the delete (`write_key`): one
/// read per write, however often the answer is played again.
pub async fn request(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &str,
    external_id: &str,
    write_key: &str,
    why: &str,
) -> Result<bool, SyncError> {
    let payload = json!({"entity_type": entity_type, "external_id": external_id, "why": why});
    store(conn, integration, &format!("read:{write_key}"), &payload).await
}

/// As `request`, for a held delete an operator released (`deletion`): a
/// record the integration no longer holds at all is then taken as deleted,
/// as it reported.
pub async fn release(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &str,
    external_id: &str,
    deletion: uuid::Uuid,
) -> Result<bool, SyncError> {
    let payload = json!({"entity_type": entity_type, "external_id": external_id, "why": "a held delete released", "released": deletion});
    store(conn, integration, &format!("read:release:{deletion}"), &payload).await
}

async fn store(conn: &mut AsyncPgConnection, integration: &str, id: &str, payload: &Value) -> Result<bool, SyncError> {
    let envelope = Envelope { id: id.to_owned(), kind: KIND.to_owned(), created: chrono::Utc::now().timestamp() };
    super::store(conn, integration, &envelope, payload, "read").await
}

/// A stored read request about a record of `entity_type`: its outside id,
/// and whether it follows a released delete.
pub(crate) fn requested<'a>(envelope: &Envelope, payload: &'a Value, entity_type: &str) -> Option<(&'a str, bool)> {
    if envelope.kind != KIND || payload.get("entity_type").and_then(Value::as_str) != Some(entity_type) {
        return None;
    }
    let id = payload.get("external_id").and_then(Value::as_str).filter(|id| !id.is_empty())?;
    Some((id, payload.get("released").is_some_and(|r| !r.is_null())))
}
