use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use shared_models::broker::{attempt_header, connect, Publisher, ATTEMPT_HEADER, ERROR_HEADER};
use shared_models::error::Context;
use shared_models::metrics;
use shared_models::sync::ChangeMessage;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::{Catalog, Connector, SyncError, Synced, Worker};

/// Longest wait for an ack or nack to be written.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(5);

/// Consumes the work queue until shutdown (Ok) or a lost connection (Err).
/// Messages in hand are finished either way before this returns.
pub(crate) async fn consume<C: Catalog, K: Connector<C::Record>>(
    worker: Arc<Worker<C, K>>,
    shutdown: &CancellationToken,
) -> Result<(), shared_models::Error> {
    let integration = worker.engine.integration();
    let topology = &worker.config.topology;
    let connection = connect(&worker.config.amqp_url, &format!("catalog-sync sync-worker ({integration})")).await?;
    let publisher = Publisher::open(&connection).await?;
    topology.declare(publisher.channel(), &[(integration.to_owned(), C::ENTITY_TYPE)]).await?;
    let channel = connection.create_channel().await.context("opening the consume channel")?;
    channel.basic_qos(worker.config.prefetch, BasicQosOptions::default()).await.context("setting the prefetch")?;
    let queue = topology.work_queue(integration, C::ENTITY_TYPE);
    let tag = format!("sync-worker-{}", uuid::Uuid::new_v4());
    let mut consumer = channel
        .basic_consume(queue.clone().into(), tag.clone().into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .context("starting to consume")?;
    log::info!("sync-worker consuming {queue}");

    let mut in_hand = JoinSet::new();
    let result = loop {
        tokio::select! {
            _ = shutdown.cancelled() => {
                let _ = channel.basic_cancel(tag.clone().into(), BasicCancelOptions::default()).await;
                break Ok(());
            }
            Some(_) = in_hand.join_next(), if !in_hand.is_empty() => {}
            next = consumer.next() => match next {
                Some(Ok(delivery)) => {
                    in_hand.spawn(handle(worker.clone(), publisher.clone(), delivery));
                }
                Some(Err(e)) => break Err(shared_models::Error::Broker { context: "receiving a message", source: e }),
                None => break Err(shared_models::Error::ConsumerCancelled(queue.clone())),
            }
        }
    };
    while in_hand.join_next().await.is_some() {}
    if result.is_ok() {
        // Unacked prefetched messages go back to the queue on close.
        let _ = connection.close(200, "sync-worker shutting down".into()).await;
    }
    result
}

async fn handle<C: Catalog, K: Connector<C::Record>>(worker: Arc<Worker<C, K>>, publisher: Publisher, delivery: Delivery) {
    let message: ChangeMessage = match serde_json::from_slice(&delivery.data) {
        Ok(m) => m,
        Err(e) => {
            log::error!("unreadable message dead-lettered: {e}");
            consumed(worker.engine.integration(), "unreadable");
            nack(&delivery, false).await;
            return;
        }
    };
    let attempt = attempt_of(&delivery);
    let engine = &worker.engine;
    let (id, msg_id) = (message.entity_id, message.message_id);
    match engine.sync(id).await {
        Ok(outcome) => {
            log::info!("{} {id} message {msg_id} attempt {attempt}: {outcome:?}", message.entity_type);
            let label = match outcome {
                Synced::Pushed { .. } => {
                    metrics::observe_lag("outward", message.occurred_at);
                    "synced"
                }
                Synced::DeletedOutside { .. } => "deleted_outside",
                Synced::Superseded { .. } => "superseded",
                Synced::UpToDate => "up_to_date",
                Synced::Unknown => "unknown",
            };
            consumed(engine.integration(), label);
            ack(&delivery).await;
        }
        Err(SyncError::Database(e)) => {
            // Our own database is away: not the change's fault, try again soon.
            log::warn!("{} {id} message {msg_id}: database unavailable, requeueing: {e}", message.entity_type);
            consumed(engine.integration(), "requeued");
            tokio::time::sleep(Duration::from_secs(1)).await;
            nack(&delivery, true).await;
        }
        Err(error @ (SyncError::Transient { .. } | SyncError::Missing { .. }))
            if attempt < worker.config.max_attempts || told_to_wait(&error) =>
        {
            let delay = worker.retry_delay(attempt, &error);
            // A wait the integration asked for (a rate limit, a spent quota)
            // is no failure of the change: it uses none of its attempts.
            let next = if told_to_wait(&error) { attempt } else { attempt + 1 };
            log::warn!("{} {id} message {msg_id} attempt {attempt} failed, retrying in {delay:?}: {error}", message.entity_type);
            engine.record_failure(id, message.version, &error, false).await;
            let tier = worker.config.topology.tier_for(delay.as_millis() as u64);
            let queue = worker.config.topology.retry_queue(engine.integration(), C::ENTITY_TYPE, tier);
            let headers = [(ATTEMPT_HEADER, AMQPValue::LongUInt(next))];
            let published =
                publisher.publish("", &queue, &msg_id.to_string(), &delivery.data, &headers, Some(delay.as_millis() as u64)).await;
            consumed(engine.integration(), "retried");
            settle(&delivery, published, "retry").await;
        }
        Err(error @ SyncError::Rejected { .. }) => {
            // A value the integration refuses: shown on the link, once; a
            // replay would be refused the same way, so nothing is parked.
            log::warn!("{} {id} message {msg_id}: {error}", message.entity_type);
            engine.record_failure(id, message.version, &error, true).await;
            consumed(engine.integration(), "rejected");
            ack(&delivery).await;
        }
        Err(error) => {
            log::error!("{} {id} message {msg_id} failed for good after {attempt} attempt(s): {error}", message.entity_type);
            engine.record_failure(id, message.version, &error, true).await;
            let queue = worker.config.topology.dead_queue(engine.integration(), C::ENTITY_TYPE);
            let headers = [
                (ATTEMPT_HEADER, AMQPValue::LongUInt(attempt)),
                (ERROR_HEADER, AMQPValue::LongString(LongString::from(error.to_string().into_bytes()))),
            ];
            let published = publisher.publish("", &queue, &msg_id.to_string(), &delivery.data, &headers, None).await;
            consumed(engine.integration(), "dead_lettered");
            settle(&delivery, published, "dead_letter").await;
        }
    }
}

/// The integration said when to come back (HTTP 429 with `Retry-After`,
/// Salesforce's spent quota), or the change waits for a person's fix there
/// (a record not found and not deleted): no attempt of the change is used.
fn told_to_wait(error: &SyncError) -> bool {
    matches!(error, SyncError::Transient { retry_after: Some(_), .. } | SyncError::Missing { .. })
}

/// Acks once the follow-up message is confirmed; otherwise puts the original
/// back, so a change is never dropped between two queues.
async fn settle(delivery: &Delivery, published: Result<(), shared_models::Error>, kind: &str) {
    match published {
        Ok(()) => {
            metrics::MESSAGES_PUBLISHED.with_label_values(&[kind]).inc();
            ack(delivery).await
        }
        Err(e) => {
            log::error!("could not park a message for retry or dead-lettering, requeueing it: {e}");
            nack(delivery, true).await;
        }
    }
}

async fn ack(delivery: &Delivery) {
    // If the ack is lost with the connection, the broker redelivers and the
    // version check turns the redelivery into a no-op. Bounded: on a dead
    // connection an ack can wait forever, and the consumer waits for the
    // messages in hand before it reconnects.
    match tokio::time::timeout(SETTLE_TIMEOUT, delivery.ack(BasicAckOptions::default())).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => log::warn!("ack failed (message will be redelivered and skipped): {e}"),
        Err(_) => log::warn!("ack timed out (message will be redelivered and skipped)"),
    }
}

/// Rejects the message: back to the queue, or (`requeue` false) to the
/// dead-letter queue. Bounded like `ack`; a lost nack means a redelivery.
async fn nack(delivery: &Delivery, requeue: bool) {
    let options = BasicNackOptions { requeue, ..Default::default() };
    match tokio::time::timeout(SETTLE_TIMEOUT, delivery.nack(options)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => log::warn!("nack failed (the broker will redeliver): {e}"),
        Err(_) => log::warn!("nack timed out (the broker will redeliver)"),
    }
}

fn consumed(integration: &str, outcome: &str) {
    metrics::MESSAGES_CONSUMED.with_label_values(&[integration, outcome]).inc();
}

fn attempt_of(delivery: &Delivery) -> u32 {
    attempt_header(&delivery.properties).unwrap_or(1).max(1)
}
