//! The dead-letter queues: changes that failed for good, listed without
//! taking them off the queue, and replayed into the work queue once the
//! cause is fixed.

use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::Connection;
use serde::Serialize;
use uuid::Uuid;

use super::{attempt_header, Publisher, ERROR_HEADER};
use crate::error::{Context, Error};
use crate::sync::ChangeMessage;

/// One dead-lettered change, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeadLetter {
    /// The AMQP message id (the change's `message_id`).
    pub message_id: Option<String>,
    /// The change, when the body is one (else `body` holds what it is).
    pub change: Option<ChangeMessage>,
    pub body: Option<String>,
    /// Attempts made before it was given up.
    pub attempts: Option<u32>,
    /// The last error, as the worker recorded it.
    pub error: Option<String>,
}

impl DeadLetter {
    fn from_delivery(delivery: &Delivery) -> Self {
        let change = serde_json::from_slice::<ChangeMessage>(&delivery.data).ok();
        let error = delivery.properties.headers().as_ref().and_then(|h| h.inner().get(ERROR_HEADER)).and_then(|v| match v {
            AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
            _ => None,
        });
        Self {
            message_id: delivery.properties.message_id().as_ref().map(|id| id.to_string()),
            body: change.is_none().then(|| String::from_utf8_lossy(&delivery.data).into_owned()),
            change,
            attempts: attempt_header(&delivery.properties),
            error,
        }
    }

    fn is(&self, message_id: Uuid) -> bool {
        self.change.as_ref().is_some_and(|c| c.message_id == message_id)
            || self.message_id.as_deref().is_some_and(|id| Uuid::parse_str(id).ok() == Some(message_id))
    }
}

/// Messages waiting in `queue` (an error if it does not exist).
pub async fn depth(connection: &Connection, queue: &str) -> Result<u32, Error> {
    let channel = connection.create_channel().await.context("opening a channel to count a queue")?;
    let passive = QueueDeclareOptions { passive: true, ..Default::default() };
    let count = channel.queue_declare(queue.into(), passive, FieldTable::default()).await.map(|q| q.message_count());
    let _ = channel.close(200, "counted".into()).await;
    count.context("counting a queue")
}

/// The first `limit` dead letters of `queue`, left in place: they are read
/// unacknowledged and go back, in order, when the channel closes.
pub async fn list(connection: &Connection, queue: &str, limit: usize) -> Result<(u32, Vec<DeadLetter>), Error> {
    let total = depth(connection, queue).await?;
    let channel = connection.create_channel().await.context("opening a channel to read dead letters")?;
    let mut letters = Vec::new();
    while letters.len() < limit.min(total as usize) {
        match channel.basic_get(queue.into(), BasicGetOptions { no_ack: false }).await.context("reading a dead letter")? {
            Some(message) => letters.push(DeadLetter::from_delivery(&message.delivery)),
            None => break,
        }
    }
    let _ = channel.close(200, "listed".into()).await;
    Ok((total, letters))
}

/// Moves the dead letters of `queue` (all, or the one with `only` as its
/// message id) to `work_queue`, each acked only once the broker confirmed
/// its copy, with its attempt count reset. Returns the changes replayed.
/// Letters that arrive while it runs wait for the next replay.
pub async fn replay(connection: &Connection, queue: &str, work_queue: &str, only: Option<Uuid>) -> Result<Vec<DeadLetter>, Error> {
    let publisher = Publisher::open(connection).await?;
    let total = depth(connection, queue).await?;
    let channel = connection.create_channel().await.context("opening a channel to replay dead letters")?;
    let mut replayed = Vec::new();
    for _ in 0..total {
        let Some(message) = channel.basic_get(queue.into(), BasicGetOptions { no_ack: false }).await.context("reading a dead letter")?
        else {
            break;
        };
        let letter = DeadLetter::from_delivery(&message.delivery);
        if only.is_some_and(|id| !letter.is(id)) {
            continue;
        }
        let id = letter.message_id.clone().unwrap_or_default();
        publisher.publish("", work_queue, &id, &message.delivery.data, &[], None).await?;
        message.delivery.ack(BasicAckOptions::default()).await.context("removing a replayed dead letter")?;
        replayed.push(letter);
        if only.is_some() {
            break;
        }
    }
    // Letters read but not replayed go back to the queue.
    let _ = channel.close(200, "replayed".into()).await;
    let _ = publisher.channel().close(200, "replayed".into()).await;
    Ok(replayed)
}
