use lapin::options::{ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions, QueuePurgeOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use shared_models::broker::Topology;

/// A random name prefix, so each test has its own exchanges and queues.
pub struct TestBroker {
    pub url: String,
    pub prefix: String,
}

impl TestBroker {
    pub fn new() -> Self {
        Self { url: crate::amqp_url(), prefix: crate::unique("cstest") }
    }

    pub fn topology(&self, settings: &shared_models::config::Settings) -> Topology {
        Topology::new(&self.prefix, settings.sync.retry_base_delay_ms, settings.sync.retry_max_delay_ms)
    }
}

impl Default for TestBroker {
    fn default() -> Self {
        Self::new()
    }
}

/// Messages ready in `queue` (0 if it does not exist).
pub async fn queue_depth(amqp_url: &str, queue: &str) -> u32 {
    let Ok(conn) = Connection::connect(amqp_url, ConnectionProperties::default()).await else { return 0 };
    let Ok(channel) = conn.create_channel().await else { return 0 };
    let depth = channel
        .queue_declare(queue.into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default())
        .await
        .map(|q| q.message_count())
        .unwrap_or(0);
    let _ = conn.close(200, "done".into()).await;
    depth
}

/// Consumers of `queue` (0 if it does not exist): a worker is taking work.
pub async fn queue_consumers(amqp_url: &str, queue: &str) -> u32 {
    let Ok(conn) = Connection::connect(amqp_url, ConnectionProperties::default()).await else { return 0 };
    let Ok(channel) = conn.create_channel().await else { return 0 };
    let consumers = channel
        .queue_declare(queue.into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default())
        .await
        .map(|q| q.consumer_count())
        .unwrap_or(0);
    let _ = conn.close(200, "done".into()).await;
    consumers
}

/// Drops every message ready in `queue`: messages lost in the broker.
pub async fn purge_queue(amqp_url: &str, queue: &str) -> u32 {
    let conn = Connection::connect(amqp_url, ConnectionProperties::default()).await.expect("connect to RabbitMQ");
    let channel = conn.create_channel().await.expect("open a channel");
    let purged = channel.queue_purge(queue.into(), QueuePurgeOptions::default()).await.expect("purge the queue");
    let _ = conn.close(200, "done".into()).await;
    purged
}

/// Deletes everything `topology` declares, for every pair this build knows
/// (the relay declares the queues of every pair in force).
pub async fn delete_topology(amqp_url: &str, topology: &Topology) {
    let Ok(conn) = Connection::connect(amqp_url, ConnectionProperties::default()).await else { return };
    let Ok(channel) = conn.create_channel().await else { return };
    for pair in shared_models::pairs::KNOWN {
        let (integration, entity) = (pair.integration, pair.entity_type);
        let mut queues = vec![topology.work_queue(integration, entity), topology.dead_queue(integration, entity)];
        queues.extend(topology.tiers.iter().map(|t| topology.retry_queue(integration, entity, *t)));
        for q in queues {
            let _ = channel.queue_delete(q.into(), QueueDeleteOptions::default()).await;
        }
    }
    let _ = channel.exchange_delete(topology.changes_exchange().into(), ExchangeDeleteOptions::default()).await;
    let _ = conn.close(200, "done".into()).await;
}

/// Gives up the next message of `queue` as a worker does when a change fails
/// for good: it goes to `dead_queue` with its attempts and `error`. Lets a
/// test of the dead-letter tools make a dead letter without running a worker.
pub async fn dead_letter_next(amqp_url: &str, queue: &str, dead_queue: &str, attempts: u32, error: &str) {
    use lapin::options::{BasicAckOptions, BasicGetOptions};
    use lapin::types::{AMQPValue, LongString};
    use shared_models::broker::{Publisher, ATTEMPT_HEADER, ERROR_HEADER};

    // Until the relay declared the queue, a get would close the channel.
    crate::wait_for(&format!("a message in {queue}"), std::time::Duration::from_secs(30), || async {
        (queue_depth(amqp_url, queue).await > 0).then_some(())
    })
    .await;
    let conn = Connection::connect(amqp_url, ConnectionProperties::default()).await.expect("connect to RabbitMQ");
    let channel = conn.create_channel().await.expect("open a channel");
    let message = crate::wait_for(&format!("a message in {queue}"), std::time::Duration::from_secs(30), || async {
        channel.basic_get(queue.into(), BasicGetOptions::default()).await.expect("basic.get")
    })
    .await;
    let publisher = Publisher::open(&conn).await.expect("open a publisher");
    let headers = [
        (ATTEMPT_HEADER, AMQPValue::LongUInt(attempts)),
        (ERROR_HEADER, AMQPValue::LongString(LongString::from(error.as_bytes().to_vec()))),
    ];
    let id = message.properties.message_id().as_ref().map(ToString::to_string).unwrap_or_default();
    publisher.publish("", dead_queue, &id, &message.data, &headers, None).await.expect("publish the dead letter");
    message.delivery.ack(BasicAckOptions::default()).await.expect("ack the original");
    let _ = conn.close(200, "done".into()).await;
}
