//! The vocabulary of the sync machinery. Integrations ("stripe") and entity
//! types ("customer") are plain strings here: adding one is data, not schema.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The entity type of the customer catalog.
pub const CUSTOMER: &str = "customer";

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncStatus {
    Pending,
    Synced,
    Failed,
}

impl SyncStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            SyncStatus::Pending => "pending",
            SyncStatus::Synced => "synced",
            SyncStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
