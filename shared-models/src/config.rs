//! Settings, read once at start from the environment (and `.env` when present).
//! Every setting is documented in `.env.sample`.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::Error;

fn default_pool_size() -> u32 {
    10
}
fn default_prefix() -> String {
    "catalog_sync".into()
}
fn default_integrations() -> String {
    "stripe".into()
}
fn default_bind() -> String {
    "0.0.0.0".into()
}
fn default_api_port() -> u16 {
    8080
}
fn default_webhook_port() -> u16 {
    8081
}
fn default_worker_metrics_port() -> u16 {
    9090
}
fn default_stripe_base() -> String {
    "https://api.stripe.com/".into()
}
fn default_rate_limit() -> u32 {
    20
}
fn default_stripe_timeout_ms() -> u64 {
    10_000
}
fn default_prefetch() -> u16 {
    8
}
fn default_max_attempts() -> u32 {
    6
}
fn default_retry_base_ms() -> u64 {
    1_000
}
fn default_retry_max_ms() -> u64 {
    60_000
}
fn default_relay_poll_ms() -> u64 {
    500
}
fn default_relay_batch() -> i64 {
    100
}
fn default_outbox_retention_hours() -> u64 {
    72
}
fn default_inward_mode() -> String {
    "both".into()
}
fn default_webhook_tolerance() -> u64 {
    300
}
fn default_poll_interval_ms() -> u64 {
    5_000
}
fn default_inbox_retention_hours() -> u64 {
    720
}

/// How Stripe's changes reach us: pushed to `POST /webhooks/stripe`, pulled
/// from `GET /v1/events`, or both (each event is still applied once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InwardMode {
    pub webhook: bool,
    pub poll: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub database_url: String,
    #[serde(default = "default_pool_size")]
    pub database_pool_size: u32,
    pub amqp_url: String,
    /// Prefix of every exchange and queue name; tests use a random one.
    #[serde(default = "default_prefix")]
    pub amqp_prefix: String,
    /// Comma-separated integrations each change is synced to.
    #[serde(default = "default_integrations")]
    pub sync_integrations: String,
    #[serde(default = "default_bind")]
    pub bind_address: String,
    #[serde(default = "default_api_port")]
    pub api_port: u16,
    #[serde(default = "default_webhook_port")]
    pub webhook_port: u16,
    /// Where sync-worker serves /metrics and /health (it has no other HTTP).
    #[serde(default = "default_worker_metrics_port")]
    pub worker_metrics_port: u16,
    /// Redacted in `Debug`: a printed `Settings` never shows it.
    pub stripe_secret_key: Option<SecretString>,
    #[serde(default = "default_stripe_base")]
    pub stripe_api_base: String,
    /// Comma-separated signing secrets; more than one while rolling a secret.
    pub stripe_webhook_secret: Option<SecretString>,
    #[serde(default = "default_webhook_tolerance")]
    pub stripe_webhook_tolerance_seconds: u64,
    #[serde(default = "default_inward_mode")]
    pub inward_mode: String,
    #[serde(default = "default_poll_interval_ms")]
    pub stripe_poll_interval_ms: u64,
    /// Handled inbound events are kept this long: a redelivery within it is
    /// still recognised as a duplicate.
    #[serde(default = "default_inbox_retention_hours")]
    pub inbox_retention_hours: u64,
    /// Stripe calls per second for all workers together; 0 turns the limit off.
    #[serde(default = "default_rate_limit")]
    pub stripe_rate_limit_per_second: u32,
    #[serde(default = "default_stripe_timeout_ms")]
    pub stripe_timeout_ms: u64,
    #[serde(default = "default_prefetch")]
    pub worker_prefetch: u16,
    #[serde(default = "default_max_attempts")]
    pub retry_max_attempts: u32,
    #[serde(default = "default_retry_base_ms")]
    pub retry_base_delay_ms: u64,
    #[serde(default = "default_retry_max_ms")]
    pub retry_max_delay_ms: u64,
    #[serde(default = "default_relay_poll_ms")]
    pub relay_poll_interval_ms: u64,
    #[serde(default = "default_relay_batch")]
    pub relay_batch_size: i64,
    #[serde(default = "default_outbox_retention_hours")]
    pub outbox_retention_hours: u64,
    /// Comma-separated pairs (`customer:stripe`) whose consumers a
    /// sync-worker runs; empty runs every pair in force.
    #[serde(default)]
    pub worker_pairs: String,
}

impl Settings {
    /// Reads `.env` (if present, without overriding the environment), then the
    /// environment. The error names the offending variable.
    pub fn load() -> Result<Self, Error> {
        let _ = dotenvy::dotenv();
        let settings: Settings = config::Config::builder()
            .add_source(config::Environment::default().try_parsing(true))
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| Error::Config(name_variables(&e.to_string())))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the values serde cannot: non-empty URLs, sane limits.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |var: &str, why: &str| Err(Error::Config(format!("{var} {why}")));
        if self.database_url.trim().is_empty() {
            return bad("DATABASE_URL", "must not be empty");
        }
        if !self.amqp_url.starts_with("amqp://") && !self.amqp_url.starts_with("amqps://") {
            return bad("AMQP_URL", "must start with amqp:// or amqps://");
        }
        crate::pairs::Registry::from_settings(self)?.worker_pairs(self)?;
        if self.worker_prefetch == 0 {
            return bad("WORKER_PREFETCH", "must be at least 1");
        }
        if self.retry_max_attempts == 0 {
            return bad("RETRY_MAX_ATTEMPTS", "must be at least 1");
        }
        if self.retry_base_delay_ms == 0 || self.retry_max_delay_ms < self.retry_base_delay_ms {
            return bad("RETRY_BASE_DELAY_MS", "must be above 0 and at most RETRY_MAX_DELAY_MS");
        }
        if !(1..=1000).contains(&self.relay_batch_size) {
            return bad("RELAY_BATCH_SIZE", "must be between 1 and 1000");
        }
        if self.inward().is_err() {
            return bad("INWARD_MODE", "must be webhook, poll or both");
        }
        if self.stripe_poll_interval_ms < 100 {
            return bad("STRIPE_POLL_INTERVAL_MS", "must be at least 100");
        }
        if self.inbox_retention_hours < 72 {
            return bad("INBOX_RETENTION_HOURS", "must be at least 72: Stripe redelivers an event for up to 3 days");
        }
        if !self.stripe_api_base.starts_with("http://") && !self.stripe_api_base.starts_with("https://") {
            return bad("STRIPE_API_BASE", "must be an http:// or https:// URL");
        }
        Ok(())
    }

    /// The integrations in force, in the order SYNC_INTEGRATIONS names them.
    pub fn integrations(&self) -> Vec<String> {
        self.sync_integrations.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect()
    }

    /// The pairs named in WORKER_PAIRS (none: every pair).
    pub fn worker_pairs(&self) -> Vec<String> {
        self.worker_pairs.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect()
    }

    pub fn inward(&self) -> Result<InwardMode, Error> {
        match self.inward_mode.trim().to_ascii_lowercase().as_str() {
            "webhook" => Ok(InwardMode { webhook: true, poll: false }),
            "poll" => Ok(InwardMode { webhook: false, poll: true }),
            "both" => Ok(InwardMode { webhook: true, poll: true }),
            other => Err(Error::Config(format!("INWARD_MODE must be webhook, poll or both, not '{other}'"))),
        }
    }

    /// Every webhook signing secret in `STRIPE_WEBHOOK_SECRET`.
    pub fn webhook_secrets(&self) -> Vec<String> {
        self.stripe_webhook_secret
            .as_ref()
            .map(ExposeSecret::expose_secret)
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// A setting that only some services need; its absence stops that service.
    pub fn require<'a>(value: &'a Option<SecretString>, var: &str) -> Result<&'a str, Error> {
        match value.as_ref().map(|v| v.expose_secret().trim()) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::Config(format!("{var} is required but not set"))),
        }
    }
}

/// config reports lower-case field names (`missing configuration field
/// "database_url"`, ``for key `api_port` ``); users set upper-case
/// variables, so name those. Every setting name contains an underscore,
/// which keeps quoted values (`"eighty"`) as they are.
fn name_variables(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                let token = &after[..close];
                let is_setting = token.contains('_') && token.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if is_setting {
                    out.push_str(&token.to_ascii_uppercase());
                } else {
                    out.push(quote);
                    out.push_str(token);
                    out.push(quote);
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::name_variables;

    #[test]
    fn error_messages_name_the_environment_variable() {
        assert_eq!(name_variables("missing field `database_url`"), "missing field DATABASE_URL");
        assert_eq!(name_variables("missing configuration field \"database_url\""), "missing configuration field DATABASE_URL");
        assert_eq!(
            name_variables("invalid type: string \"eighty\", expected u16 for key `api_port`"),
            "invalid type: string \"eighty\", expected u16 for key API_PORT"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let settings: super::Settings = serde_json::from_value(serde_json::json!({
            "database_url": "postgres://db", "amqp_url": "amqp://mq",
            "stripe_secret_key": "sk_live_very_secret", "stripe_webhook_secret": "whsec_very_secret",
        }))
        .expect("settings");
        let printed = format!("{settings:?}");
        assert!(!printed.contains("very_secret"), "{printed}");
        assert_eq!(super::Settings::require(&settings.stripe_secret_key, "STRIPE_SECRET_KEY").ok(), Some("sk_live_very_secret"));
        assert_eq!(settings.webhook_secrets(), ["whsec_very_secret"]);
    }
}
