use serde::Serialize;
use shared_models::broker::dead_letters::{self, DeadLetter};
use shared_models::broker::{connect, Topology};
use shared_models::db::{sync_links, PgPool};
use shared_models::error::Context;
use shared_models::pairs::Registry;
use shared_models::sync::EntityRef;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// Where the dead letters of one (integration, entity type) pair are.
#[derive(Debug, Clone)]
pub struct DeadLetterQueue {
    pub amqp_url: String,
    pub topology: Topology,
    pub integration: String,
    pub entity_type: &'static str,
}

/// The first dead letters of one queue, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterList {
    /// The queue, as the RabbitMQ management UI names it.
    #[schema(example = "catalog_sync.stripe.customer.dead")]
    pub queue: String,
    /// How many are in the queue (`data` holds at most `limit`).
    pub total: u32,
    pub data: Vec<DeadLetter>,
}

/// What a replay moved back to the work queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    pub replayed: usize,
    pub data: Vec<DeadLetter>,
}

impl DeadLetterQueue {
    /// The dead letters of a pair in force (the registry's first pair by
    /// default); refuses any other (its queue would not exist).
    pub fn new(
        amqp_url: &str,
        topology: &Topology,
        registry: &Registry,
        integration: Option<&str>,
        entity_type: Option<&str>,
    ) -> Result<Self, ApiError> {
        let first = registry.pairs().first().copied();
        let integration = integration.or(first.map(|p| p.integration)).unwrap_or_default();
        if !registry.has_integration(integration) {
            let configured = registry.integrations().join(", ");
            return Err(ApiError::InvalidQuery(format!("unknown integration '{integration}' (configured: {configured})")));
        }
        let entity_type = entity_type.or(first.map(|p| p.entity_type)).unwrap_or_default();
        let Some(pair) = registry.pairs().iter().find(|p| p.integration == integration && p.entity_type == entity_type) else {
            let known: Vec<&str> = registry.pairs().iter().filter(|p| p.integration == integration).map(|p| p.entity_type).collect();
            return Err(ApiError::InvalidQuery(format!("unknown entity type '{entity_type}' (known: {})", known.join(", "))));
        };
        Ok(Self {
            amqp_url: amqp_url.to_owned(),
            topology: topology.clone(),
            integration: integration.to_owned(),
            entity_type: pair.entity_type,
        })
    }

    fn queue(&self) -> String {
        self.topology.dead_queue(&self.integration, self.entity_type)
    }

    /// A connection on which the queues exist (declaring is idempotent; a
    /// fresh broker has no dead letters rather than no queue).
    async fn connection(&self) -> Result<lapin::Connection, shared_models::Error> {
        let connection = connect(&self.amqp_url, "catalog-sync api-service (dead letters)").await?;
        let channel = connection.create_channel().await.context("opening a channel to declare the queues")?;
        self.topology.declare(&channel, &[(self.integration.clone(), self.entity_type)]).await?;
        let _ = channel.close(200, "declared".into()).await;
        Ok(connection)
    }

    /// Lists without removing: the letters stay where they are.
    pub async fn list(&self, limit: usize) -> Result<DeadLetterList, ApiError> {
        let connection = self.connection().await?;
        let listed = dead_letters::list(&connection, &self.queue(), limit).await;
        let _ = connection.close(200, "done".into()).await;
        let (total, data) = listed?;
        Ok(DeadLetterList { queue: self.queue(), total, data })
    }

    /// Moves all letters (or the one with `only` as its message id) back to
    /// the work queue and marks their `failed` customers `pending` again: the
    /// worker retries each with the customer's current state.
    pub async fn replay(&self, pool: &PgPool, only: Option<Uuid>) -> Result<Replayed, ApiError> {
        let connection = self.connection().await?;
        let work_queue = self.topology.work_queue(&self.integration, self.entity_type);
        let moved = dead_letters::replay(&connection, &self.queue(), &work_queue, only).await;
        let _ = connection.close(200, "done".into()).await;
        let data = moved?;
        if let Some(id) = only.filter(|_| data.is_empty()) {
            return Err(ApiError::NotFound(format!("no dead letter with message id '{id}' in {}", self.queue())));
        }
        let mut conn = pool.get().await.context("checking out a connection to mark replayed changes")?;
        for change in data.iter().filter_map(|letter| letter.change.as_ref()) {
            let entity = EntityRef::customer(change.entity_id);
            sync_links::retry_failed(&mut conn, &self.integration, &entity).await?;
        }
        for letter in &data {
            log::info!("dead letter {} replayed to {work_queue}", letter.message_id.as_deref().unwrap_or("(no id)"));
        }
        shared_models::metrics::MESSAGES_PUBLISHED.with_label_values(&["replay"]).inc_by(data.len() as u64);
        Ok(Replayed { replayed: data.len(), data })
    }
}
