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
    let envelope = Envelope { id: format!("read:{write_key}"), kind: KIND.to_owned(), created: chrono::Utc::now().timestamp() };
    let payload = json!({"entity_type": entity_type, "external_id": external_id, "why": why});
    super::store(conn, integration, &envelope, &payload, "read").await
}

/// The outside id a stored read request is about, when it is one about a
/// record of `entity_type`.
pub(crate) fn requested<'a>(envelope: &Envelope, payload: &'a Value, entity_type: &str) -> Option<&'a str> {
    if envelope.kind != KIND || payload.get("entity_type").and_then(Value::as_str) != Some(entity_type) {
        return None;
    }
    payload.get("external_id").and_then(Value::as_str).filter(|id| !id.is_empty())
}
