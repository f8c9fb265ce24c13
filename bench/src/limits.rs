//! The limits each figure is set against, measured on their own: RabbitMQ's
//! round trip, the HMAC check, the inbox insert.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use serde_json::json;

use crate::stats::{Latency, Load};

/// Publish with confirm, then consume and ack, one message at a time, on a
/// durable queue with persistent messages, like the sync's own.
pub async fn rabbitmq_round_trip(amqp_url: &str, count: usize) -> anyhow::Result<Load> {
    let conn = Connection::connect(amqp_url, ConnectionProperties::default()).await?;
    let publisher = conn.create_channel().await?;
    publisher.confirm_select(ConfirmSelectOptions::default()).await?;
    let consumer_channel = conn.create_channel().await?;
    consumer_channel.basic_qos(8, BasicQosOptions::default()).await?;
    let queue = format!("bench_round_trip_{}", uuid::Uuid::new_v4().simple());
    let options = QueueDeclareOptions { durable: true, auto_delete: true, ..Default::default() };
    consumer_channel.queue_declare(queue.clone().into(), options, FieldTable::default()).await?;
    let mut consumer =
        consumer_channel.basic_consume(queue.clone().into(), "bench".into(), BasicConsumeOptions::default(), FieldTable::default()).await?;
    let payload = json!({"message_id": uuid::Uuid::now_v7(), "entity_type": "customer", "entity_id": uuid::Uuid::new_v4(),
        "operation": "created", "version": 1, "occurred_at": chrono::Utc::now()})
    .to_string();
    let bar = crate::report::step(&format!("RabbitMQ round trips x{count}"), count);
    let started = Instant::now();
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let at = Instant::now();
        let properties = BasicProperties::default().with_delivery_mode(2).with_content_type("application/json".into());
        publisher
            .basic_publish("".into(), queue.clone().into(), BasicPublishOptions::default(), payload.as_bytes(), properties)
            .await?
            .await?;
        let delivery = consumer.next().await.ok_or_else(|| anyhow::anyhow!("the consumer stopped"))??;
        delivery.ack(BasicAckOptions::default()).await?;
        samples.push(at.elapsed());
        bar.inc(1);
    }
    let wall = started.elapsed();
    bar.finish_and_clear();
    let _ = conn.close(200, "done".into()).await;
    Ok(Load { per_second: count as f64 / wall.as_secs_f64(), latency: Latency::of(&samples), errors: 0 })
}

/// Signature checks per second on one core, on a typical event body.
pub fn hmac_verify_rate(body: &[u8], secret: &str, for_how_long: Duration) -> f64 {
    let verifier = stripe_integration::signature::Verifier::new(&[secret.to_owned()], 300);
    let now = chrono::Utc::now().timestamp();
    let header = stripe_integration::signature::sign(secret, now, body);
    let started = Instant::now();
    let mut checked = 0u64;
    while started.elapsed() < for_how_long {
        for _ in 0..1_000 {
            if verifier.verify(Some(&header), body, now).is_ok() {
                checked += 1;
            }
        }
    }
    checked as f64 / started.elapsed().as_secs_f64()
}
