//! Settings, read once at start from the environment (and `.env` when
//! present), in sections: the database, the broker, HTTP, the sync itself,
//! and one per integration. The variables keep their flat names
//! (`DATABASE_URL`, `STRIPE_SECRET_KEY`); every one is documented in
//! `.env.sample`.

mod defaults;
mod http;
mod names;
mod raw;
mod salesforce;

pub use http::{Http, SAMPLE_KEYS};
pub use salesforce::Salesforce;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::Error;

/// PostgreSQL.
#[derive(Debug, Clone)]
pub struct Database {
    /// DATABASE_URL.
    pub url: String,
    /// DATABASE_POOL_SIZE.
    pub pool_size: u32,
}

/// RabbitMQ and the outbox relay that feeds it.
#[derive(Debug, Clone)]
pub struct Broker {
    /// AMQP_URL.
    pub url: String,
    /// AMQP_PREFIX: of every exchange and queue name; tests use a random one.
    pub prefix: String,
    pub relay_poll_interval_ms: u64,
    pub relay_batch_size: i64,
    pub outbox_retention_hours: u64,
}

/// The sync, whatever the integration.
#[derive(Debug, Clone)]
pub struct Sync {
    /// SYNC_INTEGRATIONS, as set: see [`Settings::integrations`].
    pub integrations: String,
    /// WORKER_PAIRS, as set: see [`Settings::worker_pairs`].
    pub worker_pairs: String,
    /// WORKER_PREFETCH.
    pub prefetch: u16,
    pub retry_max_attempts: u32,
    pub retry_base_delay_ms: u64,
    pub retry_max_delay_ms: u64,
    /// SYNC_BLOCKED_RETRY_SECONDS: how often a change that waits for a
    /// person's fix outside (a record the integration cannot find but did
    /// not delete) is tried again.
    pub blocked_retry_seconds: u64,
    /// DELETION_GUARD_MAX: more deletes than this from one integration
    /// within the window are held for an operator (0: no such limit).
    pub deletion_guard_max: i64,
    /// DELETION_GUARD_WINDOW_SECONDS.
    pub deletion_guard_window_seconds: u64,
    /// DELETION_GUARD_PERCENT: more than this share of an integration's
    /// linked records deleted within the window are held (0: no such limit).
    pub deletion_guard_percent: i64,
    /// INWARD_MODE, as set: see [`Settings::inward`].
    pub inward_mode: String,
    /// Handled inbound events are kept this long: a redelivery within it is
    /// still recognised as a duplicate.
    pub inbox_retention_hours: u64,
}

/// Stripe (STRIPE_*).
#[derive(Debug, Clone)]
pub struct Stripe {
    /// Redacted in `Debug`: a printed `Settings` never shows it.
    pub secret_key: Option<SecretString>,
    pub api_base: String,
    /// Comma-separated signing secrets; more than one while rolling a secret.
    pub webhook_secret: Option<SecretString>,
    pub webhook_tolerance_seconds: u64,
    pub poll_interval_ms: u64,
    /// Calls per second for all workers together; 0 turns the limit off.
    pub rate_limit_per_second: u32,
    /// STRIPE_CONFIRM_EVENTS: read each delivered event back from Stripe by
    /// its id and apply it as Stripe holds it (one call per delivery).
    pub confirm_events: bool,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(from = "raw::Raw")]
pub struct Settings {
    pub database: Database,
    pub broker: Broker,
    pub http: Http,
    pub sync: Sync,
    pub stripe: Stripe,
    pub salesforce: Salesforce,
}

/// How an integration's changes reach us: pushed to
/// `POST /webhooks/{integration}`, pulled from its event list, or both
/// (each event is still applied once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InwardMode {
    pub webhook: bool,
    pub poll: bool,
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
            .map_err(|e| Error::Config(names::name_variables(&e.to_string())))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the values serde cannot: non-empty URLs, sane limits.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |var: &str, why: &str| Err(Error::Config(format!("{var} {why}")));
        let (sync, stripe) = (&self.sync, &self.stripe);
        if self.database.url.trim().is_empty() {
            return bad("DATABASE_URL", "must not be empty");
        }
        if !self.broker.url.starts_with("amqp://") && !self.broker.url.starts_with("amqps://") {
            return bad("AMQP_URL", "must start with amqp:// or amqps://");
        }
        crate::pairs::Registry::from_settings(self)?.worker_pairs(self)?;
        self.http.validate()?;
        if self.integrations().iter().any(|i| i == "salesforce") {
            self.salesforce.validate()?;
        }
        if sync.prefetch == 0 {
            return bad("WORKER_PREFETCH", "must be at least 1");
        }
        if sync.retry_max_attempts == 0 {
            return bad("RETRY_MAX_ATTEMPTS", "must be at least 1");
        }
        if sync.retry_base_delay_ms == 0 || sync.retry_max_delay_ms < sync.retry_base_delay_ms {
            return bad("RETRY_BASE_DELAY_MS", "must be above 0 and at most RETRY_MAX_DELAY_MS");
        }
        if sync.deletion_guard_max < 0 || !(0..=100).contains(&sync.deletion_guard_percent) {
            return bad("DELETION_GUARD_MAX", "must be 0 or more, and DELETION_GUARD_PERCENT between 0 and 100");
        }
        if sync.deletion_guard_window_seconds == 0 {
            return bad("DELETION_GUARD_WINDOW_SECONDS", "must be at least 1");
        }
        if sync.blocked_retry_seconds == 0 {
            return bad("SYNC_BLOCKED_RETRY_SECONDS", "must be at least 1");
        }
        if !(1..=1000).contains(&self.broker.relay_batch_size) {
            return bad("RELAY_BATCH_SIZE", "must be between 1 and 1000");
        }
        if self.inward().is_err() {
            return bad("INWARD_MODE", "must be webhook, poll or both");
        }
        if stripe.poll_interval_ms < 100 {
            return bad("STRIPE_POLL_INTERVAL_MS", "must be at least 100");
        }
        if sync.inbox_retention_hours < 72 {
            return bad("INBOX_RETENTION_HOURS", "must be at least 72: Stripe redelivers an event for up to 3 days");
        }
        if !stripe.api_base.starts_with("http://") && !stripe.api_base.starts_with("https://") {
            return bad("STRIPE_API_BASE", "must be an http:// or https:// URL");
        }
        Ok(())
    }

    /// The integrations in force, in the order SYNC_INTEGRATIONS names them.
    pub fn integrations(&self) -> Vec<String> {
        list(&self.sync.integrations)
    }

    /// The pairs named in WORKER_PAIRS (none: every pair).
    pub fn worker_pairs(&self) -> Vec<String> {
        list(&self.sync.worker_pairs)
    }

    pub fn inward(&self) -> Result<InwardMode, Error> {
        match self.sync.inward_mode.trim().to_ascii_lowercase().as_str() {
            "webhook" => Ok(InwardMode { webhook: true, poll: false }),
            "poll" => Ok(InwardMode { webhook: false, poll: true }),
            "both" => Ok(InwardMode { webhook: true, poll: true }),
            other => Err(Error::Config(format!("INWARD_MODE must be webhook, poll or both, not '{other}'"))),
        }
    }

    /// Every webhook signing secret in `STRIPE_WEBHOOK_SECRET`.
    pub fn webhook_secrets(&self) -> Vec<String> {
        let secrets = self.stripe.webhook_secret.as_ref().map(ExposeSecret::expose_secret).unwrap_or("");
        secrets.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    /// A setting that only some services need; its absence stops that service.
    pub fn require<'a>(value: &'a Option<SecretString>, var: &str) -> Result<&'a str, Error> {
        match value.as_ref().map(|v| v.expose_secret().trim()) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::Config(format!("{var} is required but not set"))),
        }
    }
}

/// A comma-separated setting: its items, trimmed and lower-cased.
fn list(value: &str) -> Vec<String> {
    value.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests;
