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

/// As `request`, after the integration refused our write of `version`
/// because its record changed later (a 412, a status it cannot move from):
/// what it holds is the later change and is taken in, over the local
/// versions up to `version`. The event that brought it may have come and
/// gone while that local edit was still unwritten (and won then).
pub async fn superseded(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &str,
    external_id: &str,
    write_key: &str,
    version: i64,
) -> Result<bool, SyncError> {
    let payload = json!({"entity_type": entity_type, "external_id": external_id, "why": "our write was superseded", "superseded": version});
    store(conn, integration, &format!("read:superseded:{write_key}"), &payload).await
}

/// A stored read request, as the inward side reads it.
pub(crate) struct Requested<'a> {
    pub external_id: &'a str,
    /// It follows a released delete.
    pub released: bool,
    /// It follows our write of this version, refused as superseded.
    pub superseded: Option<i64>,
}

/// A stored read request about a record of `entity_type`.
pub(crate) fn requested<'a>(envelope: &Envelope, payload: &'a Value, entity_type: &str) -> Option<Requested<'a>> {
    if envelope.kind != KIND || payload.get("entity_type").and_then(Value::as_str) != Some(entity_type) {
        return None;
    }
    let external_id = payload.get("external_id").and_then(Value::as_str).filter(|id| !id.is_empty())?;
    let released = payload.get("released").is_some_and(|r| !r.is_null());
    Some(Requested { external_id, released, superseded: payload.get("superseded").and_then(Value::as_i64) })
}
