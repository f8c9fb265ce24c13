//! The vocabulary of the sync machinery. Integrations ("stripe") and entity
//! types ("customer") are plain strings here: adding one is data, not schema.

use chrono::{DateTime, Utc};
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::text_enum::text_enum;

/// SHA-256 of the parts, length-prefixed so `["ab", "c"]` and `["a", "bc"]`
/// differ: compares requests and outside records without storing them.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    ctx.finish().as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The fields of a customer that are synced, fingerprinted: what we wrote
/// to an integration is compared with what its events carry.
pub fn customer_fingerprint(name: &str, email: &str) -> String {
    fingerprint(&[name, email])
}

/// The entity type of the customer catalog.
pub const CUSTOMER: &str = "customer";
/// The entity type of the invoice catalog.
pub const INVOICE: &str = "invoice";

/// One entity of one catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntityRef {
    pub entity_type: &'static str,
    pub id: Uuid,
}

impl EntityRef {
    pub fn customer(id: Uuid) -> Self {
        Self { entity_type: CUSTOMER, id }
    }

    pub fn invoice(id: Uuid) -> Self {
        Self { entity_type: INVOICE, id }
    }
}

/// How far the sync of a record to one integration has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, AsExpression, FromSqlRow, utoipa::ToSchema)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
#[schema(examples("synced"))]
pub enum SyncStatus {
    /// The integration does not hold the current version yet.
    Pending,
    /// The integration holds the current version.
    Synced,
    /// The change was dead-lettered after every attempt.
    Failed,
}

text_enum!(SyncStatus, "sync status", { Pending => "pending", Synced => "synced", Failed => "failed" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Created,
    Updated,
    Deleted,
}

impl Operation {
    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::Created => "created",
            Operation::Updated => "updated",
            Operation::Deleted => "deleted",
        }
    }
}

/// What travels through RabbitMQ: a notice that an entity changed, not its
/// data. The worker always pushes the entity's current state, so messages
/// that arrive late, twice or out of order cannot push an older value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangeMessage {
    pub message_id: Uuid,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub operation: Operation,
    pub version: i64,
    pub occurred_at: DateTime<Utc>,
}

impl ChangeMessage {
    /// Routing key on the changes exchange, e.g. `customer.updated`.
    pub fn routing_key(&self) -> String {
        format!("{}.{}", self.entity_type, self.operation.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprint_separates_fields() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
    }
}
