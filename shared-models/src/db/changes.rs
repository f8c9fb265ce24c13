use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::outbox;
use super::sync_links::{self, SyncLink};
use crate::sync::{ChangeMessage, EntityRef, Operation};

/// A recorded change: its message and the links now pending.
#[derive(Debug)]
pub struct Recorded {
    pub message: ChangeMessage,
    pub links: Vec<SyncLink>,
}

/// Records that `entity` changed: its outbox message and a `pending` link per
/// integration. Call it inside the transaction that made the change, so the
/// change and its message commit or vanish together.
pub async fn record(
    conn: &mut AsyncPgConnection,
    integrations: &[String],
    entity: &EntityRef,
    operation: Operation,
    version: i64,
) -> Result<Recorded, diesel::result::Error> {
    let message = ChangeMessage {
        message_id: Uuid::now_v7(),
        entity_type: entity.entity_type.to_owned(),
        entity_id: entity.id,
        operation,
        version,
        occurred_at: chrono::Utc::now(),
    };
    let payload = serde_json::to_value(&message).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    outbox::insert(
        conn,
        outbox::NewOutboxRow {
            message_id: message.message_id,
            entity_type: entity.entity_type,
            entity_id: entity.id,
            operation: operation.as_str(),
            entity_version: version,
            payload,
        },
    )
    .await?;
    let links = sync_links::mark_pending(conn, integrations, entity).await?;
    Ok(Recorded { message, links })
}
