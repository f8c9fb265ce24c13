use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use shared_models::broker::dead_letters::depth;
use shared_models::broker::{connect, Topology};
use utoipa::ToSchema;

/// How long `/sync/status` waits for RabbitMQ before showing no depths.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Messages waiting in one catalog's queues of one integration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueueDepths {
    /// Failed for good (see `GET /sync/dead-letters`).
    pub dead: u32,
    /// Waiting out a retry delay.
    pub retrying: u32,
    /// Ready for a worker.
    pub work: u32,
}

/// The depths of every (integration, entity type) pair; `None` when
/// RabbitMQ cannot be reached. A queue not declared yet counts 0.
pub async fn depths(
    amqp_url: &str,
    topology: &Topology,
    pairs: &[(String, &str)],
) -> Option<BTreeMap<String, BTreeMap<String, QueueDepths>>> {
    let connection = match tokio::time::timeout(CONNECT_TIMEOUT, connect(amqp_url, "catalog-sync api-service (status)")).await {
        Ok(Ok(connection)) => connection,
        Ok(Err(e)) => {
            log::warn!("queue depths unavailable: {e}");
            return None;
        }
        Err(_) => {
            log::warn!("queue depths unavailable: RabbitMQ did not answer within {CONNECT_TIMEOUT:?}");
            return None;
        }
    };
    let count = async |queue: String| depth(&connection, &queue).await.unwrap_or(0);
    let mut all: BTreeMap<String, BTreeMap<String, QueueDepths>> = BTreeMap::new();
    for (integration, entity_type) in pairs {
        let mut retrying = 0;
        for tier in &topology.tiers {
            retrying += count(topology.retry_queue(integration, entity_type, *tier)).await;
        }
        let depths = QueueDepths {
            dead: count(topology.dead_queue(integration, entity_type)).await,
            retrying,
            work: count(topology.work_queue(integration, entity_type)).await,
        };
        all.entry(integration.clone()).or_default().insert((*entity_type).to_owned(), depths);
    }
    let _ = connection.close(200, "done".into()).await;
    Some(all)
}
