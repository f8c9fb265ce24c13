//! The outbox relay: publishes committed outbox rows to RabbitMQ and marks a
//! row published only after the broker confirmed it. While the broker is
//! away, rows simply wait; the relay reconnects by itself. A row no queue
//! takes is set aside (marked unroutable), never retried ahead of the rows
//! behind it. Every service that writes the catalog runs one (api-service
//! and webhook-service): several relays share the outbox safely.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel_async::AsyncConnection;
use futures_util::future::join_all;
use lapin::Connection;
use shared_models::broker::{connect, Publisher, Topology};
use shared_models::db::{outbox, PgPool};
use shared_models::error::Context;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const MAX_BACKOFF: Duration = Duration::from_secs(5);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Whether the relay currently holds a live broker connection (for `/ready`).
#[derive(Clone, Default)]
pub struct BrokerStatus(Arc<Mutex<Option<Connection>>>);

impl BrokerStatus {
    pub fn is_connected(&self) -> bool {
        self.0.lock().map(|c| c.as_ref().is_some_and(|c| c.status().connected())).unwrap_or(false)
    }

    fn set(&self, connection: Option<Connection>) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = connection;
        }
    }
}

pub struct RelayConfig {
    pub amqp_url: String,
    pub topology: Topology,
    /// The (integration, entity type) pairs whose queues it declares.
    pub pairs: Vec<(String, String)>,
    /// Names this process's connection in the broker (`api-service relay`).
    pub name: String,
    pub batch_size: i64,
    pub poll_interval: Duration,
    pub retention_hours: u64,
}

pub struct Relay {
    pool: PgPool,
    config: RelayConfig,
    wakeup: Arc<Notify>,
    status: BrokerStatus,
}

impl Relay {
    pub fn new(pool: PgPool, config: RelayConfig, wakeup: Arc<Notify>, status: BrokerStatus) -> Self {
        Self { pool, config, wakeup, status }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let mut publisher: Option<Publisher> = None;
        let mut backoff = Duration::from_millis(100);
        let mut last_prune = Instant::now() - PRUNE_EVERY;
        while !shutdown.is_cancelled() {
            if publisher.as_ref().is_some_and(|p| !p.channel().status().connected()) {
                log::warn!("relay lost its broker channel; reconnecting");
                publisher = None;
                self.status.set(None);
            }
            let Some(active) = publisher.clone() else {
                match self.connect().await {
                    Ok(p) => {
                        log::info!("relay connected to RabbitMQ");
                        publisher = Some(p);
                        backoff = Duration::from_millis(100);
                    }
                    Err(e) => {
                        log::warn!("relay cannot reach RabbitMQ (retrying in {backoff:?}): {e}");
                        self.sleep(backoff, &shutdown).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
                continue;
            };
            match self.publish_batch(&active).await {
                Ok(n) if n as i64 == self.config.batch_size => continue,
                Ok(_) => {
                    if last_prune.elapsed() >= PRUNE_EVERY {
                        self.prune().await;
                        last_prune = Instant::now();
                    }
                    tokio::select! {
                        _ = self.wakeup.notified() => {}
                        _ = tokio::time::sleep(self.config.poll_interval) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
                Err(e) => {
                    log::warn!("relay failed to publish a batch (retrying in {backoff:?}): {e}");
                    if matches!(e, shared_models::Error::Broker { .. } | shared_models::Error::PublishNotConfirmed(_)) {
                        publisher = None;
                        self.status.set(None);
                    }
                    self.sleep(backoff, &shutdown).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        self.status.set(None);
    }

    async fn connect(&self) -> Result<Publisher, shared_models::Error> {
        let connection = connect(&self.config.amqp_url, &format!("catalog-sync {}", self.config.name)).await?;
        let publisher = Publisher::open(&connection).await?;
        let pairs: Vec<(String, &str)> = self.config.pairs.iter().map(|(i, e)| (i.clone(), e.as_str())).collect();
        self.config.topology.declare(publisher.channel(), &pairs).await?;
        self.status.set(Some(connection));
        Ok(publisher)
    }

    /// Publishes up to one batch inside one transaction; the rows' locks keep
    /// other relays off them, and they are marked only once all are confirmed.
    /// Returns how many rows it published.
    async fn publish_batch(&self, publisher: &Publisher) -> Result<usize, shared_models::Error> {
        let mut conn = self.pool.get().await.context("checking out a connection for the relay")?;
        let exchange = self.config.topology.changes_exchange();
        let batch = self.config.batch_size;
        conn.transaction::<_, shared_models::Error, _>(async |conn| {
            let rows = outbox::claim_unpublished(conn, batch).await.context("claiming outbox rows")?;
            if rows.is_empty() {
                return Ok(0);
            }
            let payloads: Vec<(String, String, Vec<u8>)> = rows
                .iter()
                .map(|r| {
                    (
                        r.message_id.to_string(),
                        format!("{}.{}", r.entity_type, r.operation),
                        serde_json::to_vec(&r.payload).unwrap_or_default(),
                    )
                })
                .collect();
            let results = join_all(payloads.iter().map(|(id, key, body)| publisher.publish(&exchange, key, id, body, &[], None))).await;
            let (mut published, mut unroutable) = (Vec::new(), Vec::new());
            for (row, result) in rows.iter().zip(results) {
                match result {
                    Ok(()) => published.push(row.id),
                    // No queue wants it: waiting would block every row behind it.
                    Err(shared_models::Error::Unroutable(what)) => {
                        log::warn!(
                            "{} {} version {}: set aside, {what} (no integration syncs it)",
                            row.entity_type,
                            row.entity_id,
                            row.entity_version
                        );
                        unroutable.push(row.id);
                    }
                    // Not confirmed: the whole batch stays, and is sent again.
                    Err(e) => return Err(e),
                }
            }
            outbox::mark_published(conn, &published).await.context("marking outbox rows published")?;
            outbox::mark_unroutable(conn, &unroutable).await.context("setting unroutable outbox rows aside")?;
            shared_models::metrics::MESSAGES_PUBLISHED.with_label_values(&["change"]).inc_by(published.len() as u64);
            for row in rows.iter().filter(|r| published.contains(&r.id)) {
                log::info!("{} {} version {}: message {} published", row.entity_type, row.entity_id, row.entity_version, row.message_id);
            }
            Ok(rows.len())
        })
        .await
    }

    async fn prune(&self) {
        let Ok(mut conn) = self.pool.get().await else { return };
        match outbox::prune_published(&mut conn, self.config.retention_hours).await {
            Ok(0) => {}
            Ok(n) => log::info!("pruned {n} published outbox rows"),
            Err(e) => log::warn!("could not prune the outbox: {e}"),
        }
    }

    async fn sleep(&self, duration: Duration, shutdown: &CancellationToken) {
        tokio::select! {
            _ = tokio::time::sleep(duration) => {}
            _ = shutdown.cancelled() => {}
        }
    }
}
