use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, ExchangeKind};

use crate::error::{Context, Error};

/// The exchanges and queues of catalog-sync, all durable:
///
/// - `{prefix}.changes` (topic): every outbox message, routed `{entity}.{operation}`.
/// - `{prefix}.{integration}.{entity}`: the work queue of one integration for
///   one catalog, bound to `{entity}.*`. A new integration is a new queue on
///   the same exchange; nothing else moves.
/// - `{prefix}.{integration}.{entity}.retry.{delay}ms`: waiting rooms with a
///   TTL that dead-letter back into the work queue; delays double per tier.
/// - `{prefix}.{integration}.{entity}.dead`: what failed for good, kept for
///   inspection and replay. The work queue dead-letters here on reject.
#[derive(Debug, Clone)]
pub struct Topology {
    pub prefix: String,
    pub tiers: Vec<RetryTier>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryTier {
    pub delay_ms: u64,
}

impl Topology {
    /// Tiers from `base_ms` doubling up to `max_ms` (the last tier is `max_ms`).
    pub fn new(prefix: &str, base_ms: u64, max_ms: u64) -> Self {
        let mut tiers = Vec::new();
        let mut delay = base_ms.max(1);
        while delay < max_ms {
            tiers.push(RetryTier { delay_ms: delay });
            delay = delay.saturating_mul(2);
        }
        tiers.push(RetryTier { delay_ms: max_ms.max(1) });
        Self { prefix: prefix.to_owned(), tiers }
    }

    pub fn changes_exchange(&self) -> String {
        format!("{}.changes", self.prefix)
    }

    pub fn work_queue(&self, integration: &str, entity_type: &str) -> String {
        format!("{}.{integration}.{entity_type}", self.prefix)
    }

    pub fn retry_queue(&self, integration: &str, entity_type: &str, tier: RetryTier) -> String {
        format!("{}.retry.{}ms", self.work_queue(integration, entity_type), tier.delay_ms)
    }

    pub fn dead_queue(&self, integration: &str, entity_type: &str) -> String {
        format!("{}.dead", self.work_queue(integration, entity_type))
    }

    /// The smallest tier that waits at least `delay_ms` (else the longest).
    pub fn tier_for(&self, delay_ms: u64) -> RetryTier {
        self.tiers.iter().copied().find(|t| t.delay_ms >= delay_ms).unwrap_or_else(|| self.longest_tier())
    }

    fn longest_tier(&self) -> RetryTier {
        self.tiers.last().copied().unwrap_or(RetryTier { delay_ms: 1_000 })
    }

    /// Declares everything for each (integration, entity) pair. Idempotent;
    /// both the relay and the workers call it, so no message is published
    /// to an exchange that has no queue yet.
    pub async fn declare(&self, channel: &Channel, pairs: &[(String, &str)]) -> Result<(), Error> {
        let durable = ExchangeDeclareOptions { durable: true, ..Default::default() };
        channel
            .exchange_declare(self.changes_exchange().into(), ExchangeKind::Topic, durable, FieldTable::default())
            .await
            .context("declaring the changes exchange")?;
        let queue_options = QueueDeclareOptions { durable: true, ..Default::default() };
        for (integration, entity_type) in pairs {
            let work = self.work_queue(integration, entity_type);
            let dead = self.dead_queue(integration, entity_type);
            channel
                .queue_declare(dead.clone().into(), queue_options, FieldTable::default())
                .await
                .context("declaring a dead-letter queue")?;
            let mut work_args = FieldTable::default();
            work_args.insert("x-dead-letter-exchange".into(), string(""));
            work_args.insert("x-dead-letter-routing-key".into(), string(&dead));
            channel.queue_declare(work.clone().into(), queue_options, work_args).await.context("declaring a work queue")?;
            channel
                .queue_bind(
                    work.clone().into(),
                    self.changes_exchange().into(),
                    format!("{entity_type}.*").into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .context("binding a work queue")?;
            for tier in &self.tiers {
                let mut args = FieldTable::default();
                args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(tier.delay_ms as i64));
                args.insert("x-dead-letter-exchange".into(), string(""));
                args.insert("x-dead-letter-routing-key".into(), string(&work));
                channel
                    .queue_declare(self.retry_queue(integration, entity_type, *tier).into(), queue_options, args)
                    .await
                    .context("declaring a retry queue")?;
            }
        }
        Ok(())
    }
}

fn string(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value.as_bytes().to_vec()))
}

/// A short-string table key, for callers building headers.
pub(crate) fn key(name: &str) -> ShortString {
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_double_up_to_the_maximum() {
        let t = Topology::new("p", 1_000, 60_000);
        let delays: Vec<u64> = t.tiers.iter().map(|t| t.delay_ms).collect();
        assert_eq!(delays, vec![1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000]);
        assert_eq!(t.tier_for(3_000).delay_ms, 4_000);
        assert_eq!(t.tier_for(90_000).delay_ms, 60_000);
    }

    #[test]
    fn names_are_readable_in_the_management_ui() {
        let t = Topology::new("catalog_sync", 1_000, 1_000);
        assert_eq!(t.changes_exchange(), "catalog_sync.changes");
        assert_eq!(t.work_queue("stripe", "customer"), "catalog_sync.stripe.customer");
        assert_eq!(t.retry_queue("stripe", "customer", RetryTier { delay_ms: 1_000 }), "catalog_sync.stripe.customer.retry.1000ms");
        assert_eq!(t.dead_queue("stripe", "customer"), "catalog_sync.stripe.customer.dead");
    }
}
