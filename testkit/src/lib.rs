//! What the integration tests share. Every test gets its own database, its
//! own RabbitMQ names and its own Stripe emulator, so tests run in parallel
//! against the real services and leave nothing behind.

mod binary;
mod broker;
mod database;
mod localstripe;
mod proxy;
mod raw_http;
pub mod salesforce_double;
mod stripe_double;

use std::future::Future;
use std::time::{Duration, Instant};

pub use binary::{assert_refused_with_usage, env_vars, run_binary, spawn_binary, stdout_json, workspace_binary};
pub use broker::{dead_letter_next, delete_topology, purge_queue, queue_consumers, queue_depth, TestBroker};
pub use database::TestDb;
pub use localstripe::LocalStripe;
pub use proxy::TcpProxy;
pub use raw_http::{raw_http, RawAnswer};
pub use salesforce_double::SalesforceDouble;
use secrecy::SecretString;
use shared_models::config::{Broker, Database, Http, Salesforce, Settings, Stripe, Sync};
pub use stripe_double::{sign_webhook, Calls, Chaos, Fault, Logged, StripeDouble};

pub fn amqp_url() -> String {
    std::env::var("TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// Settings for a service under test: port 0, fast retries, no rate limit.
pub fn settings(database_url: &str, amqp_url: &str, prefix: &str, stripe_api_base: &str) -> Settings {
    Settings {
        database: Database { url: database_url.to_owned(), pool_size: 8 },
        broker: Broker {
            url: amqp_url.to_owned(),
            prefix: prefix.to_owned(),
            relay_poll_interval_ms: 200,
            relay_batch_size: 100,
            outbox_retention_hours: 72,
        },
        http: Http {
            bind_address: "127.0.0.1".into(),
            api_port: 0,
            webhook_port: 0,
            worker_metrics_port: 0,
            request_timeout_seconds: 30,
            api_auth: "on".into(),
            api_bootstrap_key: Some(SecretString::from(API_KEY)),
        },
        sync: Sync {
            integrations: "stripe".into(),
            worker_pairs: String::new(),
            prefetch: 8,
            retry_max_attempts: 4,
            retry_base_delay_ms: 100,
            retry_max_delay_ms: 400,
            // Tests that meet a record not found wait seconds, not minutes.
            blocked_retry_seconds: 1,
            deletion_guard_max: 50,
            deletion_guard_window_seconds: 600,
            deletion_guard_percent: 10,
            inward_mode: "webhook".into(),
            inbox_retention_hours: 720,
        },
        stripe: Stripe {
            secret_key: Some(SecretString::from("sk_test_catalog_sync")),
            api_base: stripe_api_base.to_owned(),
            webhook_secret: Some(SecretString::from("whsec_test")),
            webhook_tolerance_seconds: 300,
            poll_interval_ms: 500,
            rate_limit_per_second: 0,
            confirm_events: false,
            timeout_ms: 5_000,
        },
        salesforce: Salesforce {
            login_url: "http://127.0.0.1:9".into(),
            client_id: Some(salesforce_double::CLIENT_ID.into()),
            client_secret: Some(SecretString::from(salesforce_double::CLIENT_SECRET)),
            api_version: "62.0".into(),
            poll_interval_ms: 1_000,
            poll_overlap_seconds: 660,
            timeout_ms: 5_000,
            external_id_field: "Catalog_Sync_Id__c".into(),
            version_field: "Catalog_Sync_Version__c".into(),
            duplicate_rule: "respect".into(),
            quota_reserve_percent: 10,
            quota_wait_seconds: 300,
        },
    }
}

/// Polls `check` until it returns `Some`, or panics naming `what` after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A unique, readable suffix for names and emails.
pub fn unique(tag: &str) -> String {
    format!("{tag}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

/// The key with every scope that the services under test accept (their
/// API_BOOTSTRAP_KEY).
pub const API_KEY: &str = "csk_test_key_of_the_catalog_sync_test_suite";

/// An HTTP client that sends [`API_KEY`] with every request.
pub fn http() -> reqwest::Client {
    http_builder().build().expect("an HTTP client")
}

/// [`http`]'s builder, for a client with more options.
pub fn http_builder() -> reqwest::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {API_KEY}")).expect("a header value");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder().default_headers(headers)
}

/// Fetches `/metrics` at `base` and asserts each series is there and above
/// zero. The registry is per process, so other tests add to the figures:
/// "above zero" is all a test can hold it to.
pub async fn assert_counted(base: &str, series: &[&str]) {
    let text = http().get(format!("{base}/metrics")).send().await.expect("GET /metrics").text().await.expect("metrics text");
    for name in series {
        let value = text.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().parse::<f64>().ok());
        assert!(value.is_some_and(|v| v > 0.0), "{name} missing or zero in:\n{text}");
    }
}
