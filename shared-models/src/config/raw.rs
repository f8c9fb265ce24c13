//! The settings as the environment holds them: one flat list of variables
//! (documented in `.env.sample`), read into the sections of [`Settings`].

use secrecy::SecretString;
use serde::Deserialize;

use super::defaults::*;
use super::{Broker, Database, Http, Salesforce, Settings, Stripe, Sync};

/// The settings as the environment names them, one flat list.
#[derive(Deserialize)]
pub(super) struct Raw {
    database_url: String,
    #[serde(default = "default_pool_size")]
    database_pool_size: u32,
    amqp_url: String,
    /// Prefix of every exchange and queue name; tests use a random one.
    #[serde(default = "default_prefix")]
    amqp_prefix: String,
    /// Comma-separated integrations each change is synced to.
    #[serde(default = "default_integrations")]
    sync_integrations: String,
    #[serde(default = "default_bind")]
    bind_address: String,
    #[serde(default = "default_api_port")]
    api_port: u16,
    #[serde(default = "default_webhook_port")]
    webhook_port: u16,
    /// Where sync-worker serves /metrics and /health (it has no other HTTP).
    #[serde(default = "default_worker_metrics_port")]
    worker_metrics_port: u16,
    /// Redacted in `Debug`: a printed `Settings` never shows it.
    stripe_secret_key: Option<SecretString>,
    #[serde(default = "default_stripe_base")]
    stripe_api_base: String,
    /// Comma-separated signing secrets; more than one while rolling a secret.
    stripe_webhook_secret: Option<SecretString>,
    #[serde(default = "default_webhook_tolerance")]
    stripe_webhook_tolerance_seconds: u64,
    #[serde(default = "default_inward_mode")]
    inward_mode: String,
    #[serde(default = "default_poll_interval_ms")]
    stripe_poll_interval_ms: u64,
    /// Handled inbound events are kept this long: a redelivery within it is
    /// still recognised as a duplicate.
    #[serde(default = "default_inbox_retention_hours")]
    inbox_retention_hours: u64,
    /// Stripe calls per second for all workers together; 0 turns the limit off.
    #[serde(default = "default_rate_limit")]
    stripe_rate_limit_per_second: u32,
    #[serde(default = "default_stripe_timeout_ms")]
    stripe_timeout_ms: u64,
    #[serde(default = "default_prefetch")]
    worker_prefetch: u16,
    #[serde(default = "default_max_attempts")]
    retry_max_attempts: u32,
    #[serde(default = "default_retry_base_ms")]
    retry_base_delay_ms: u64,
    #[serde(default = "default_retry_max_ms")]
    retry_max_delay_ms: u64,
    #[serde(default = "default_blocked_retry_seconds")]
    sync_blocked_retry_seconds: u64,
    #[serde(default = "default_guard_max")]
    deletion_guard_max: i64,
    #[serde(default = "default_guard_window")]
    deletion_guard_window_seconds: u64,
    #[serde(default = "default_guard_percent")]
    deletion_guard_percent: i64,
    #[serde(default = "default_relay_poll_ms")]
    relay_poll_interval_ms: u64,
    #[serde(default = "default_relay_batch")]
    relay_batch_size: i64,
    #[serde(default = "default_outbox_retention_hours")]
    outbox_retention_hours: u64,
    /// Comma-separated pairs (`customer:stripe`) whose consumers a
    /// sync-worker runs; empty runs every pair in force.
    #[serde(default)]
    worker_pairs: String,
    #[serde(default)]
    stripe_confirm_events: bool,
    #[serde(default = "default_request_timeout")]
    request_timeout_seconds: u64,
    #[serde(default = "default_api_auth")]
    api_auth: String,
    api_bootstrap_key: Option<SecretString>,
    /// No default: the org's My Domain URL must be named.
    #[serde(default)]
    salesforce_login_url: String,
    salesforce_client_id: Option<String>,
    salesforce_client_secret: Option<SecretString>,
    #[serde(default = "default_salesforce_version")]
    salesforce_api_version: String,
    #[serde(default = "default_salesforce_poll_ms")]
    salesforce_poll_interval_ms: u64,
    #[serde(default = "default_salesforce_overlap")]
    salesforce_poll_overlap_seconds: i64,
    #[serde(default = "default_stripe_timeout_ms")]
    salesforce_timeout_ms: u64,
    #[serde(default = "default_external_id_field")]
    salesforce_external_id_field: String,
    #[serde(default = "default_version_field")]
    salesforce_version_field: String,
    #[serde(default = "default_duplicate_rule")]
    salesforce_duplicate_rule: String,
    #[serde(default = "default_quota_reserve")]
    salesforce_quota_reserve_percent: u64,
    #[serde(default = "default_quota_wait")]
    salesforce_quota_wait_seconds: u64,
}

impl From<Raw> for Settings {
    fn from(raw: Raw) -> Self {
        Settings {
            database: Database { url: raw.database_url, pool_size: raw.database_pool_size },
            broker: Broker {
                url: raw.amqp_url,
                prefix: raw.amqp_prefix,
                relay_poll_interval_ms: raw.relay_poll_interval_ms,
                relay_batch_size: raw.relay_batch_size,
                outbox_retention_hours: raw.outbox_retention_hours,
            },
            http: Http {
                bind_address: raw.bind_address,
                api_port: raw.api_port,
                webhook_port: raw.webhook_port,
                worker_metrics_port: raw.worker_metrics_port,
                request_timeout_seconds: raw.request_timeout_seconds,
                api_auth: raw.api_auth,
                api_bootstrap_key: raw.api_bootstrap_key,
            },
            sync: Sync {
                integrations: raw.sync_integrations,
                worker_pairs: raw.worker_pairs,
                prefetch: raw.worker_prefetch,
                retry_max_attempts: raw.retry_max_attempts,
                retry_base_delay_ms: raw.retry_base_delay_ms,
                retry_max_delay_ms: raw.retry_max_delay_ms,
                blocked_retry_seconds: raw.sync_blocked_retry_seconds,
                deletion_guard_max: raw.deletion_guard_max,
                deletion_guard_window_seconds: raw.deletion_guard_window_seconds,
                deletion_guard_percent: raw.deletion_guard_percent,
                inward_mode: raw.inward_mode,
                inbox_retention_hours: raw.inbox_retention_hours,
            },
            stripe: Stripe {
                secret_key: raw.stripe_secret_key,
                api_base: raw.stripe_api_base,
                webhook_secret: raw.stripe_webhook_secret,
                webhook_tolerance_seconds: raw.stripe_webhook_tolerance_seconds,
                poll_interval_ms: raw.stripe_poll_interval_ms,
                rate_limit_per_second: raw.stripe_rate_limit_per_second,
                confirm_events: raw.stripe_confirm_events,
                timeout_ms: raw.stripe_timeout_ms,
            },
            salesforce: Salesforce {
                login_url: raw.salesforce_login_url,
                client_id: raw.salesforce_client_id,
                client_secret: raw.salesforce_client_secret,
                api_version: api_version(raw.salesforce_api_version),
                poll_interval_ms: raw.salesforce_poll_interval_ms,
                poll_overlap_seconds: raw.salesforce_poll_overlap_seconds,
                timeout_ms: raw.salesforce_timeout_ms,
                external_id_field: raw.salesforce_external_id_field,
                version_field: raw.salesforce_version_field,
                duplicate_rule: raw.salesforce_duplicate_rule,
                quota_reserve_percent: raw.salesforce_quota_reserve_percent,
                quota_wait_seconds: raw.salesforce_quota_wait_seconds,
            },
        }
    }
}

/// `62.0` as written: the environment's numbers are parsed, and `62.0`
/// arrives as `62`.
fn api_version(read: String) -> String {
    if read.contains('.') {
        read
    } else {
        format!("{read}.0")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_api_version_read_as_a_number_keeps_its_form() {
        assert_eq!(super::api_version("62".into()), "62.0");
        assert_eq!(super::api_version("62.0".into()), "62.0");
    }
}
