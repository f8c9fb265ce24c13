//! The Prometheus metrics every service exposes at `/metrics`: requests by
//! route and status, messages published / consumed / retried /
//! dead-lettered, Stripe calls by outcome and latency, webhook events by
//! type and outcome, and the end-to-end sync lag. One process-wide registry.

use std::sync::LazyLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use prometheus::{register_histogram_vec, register_int_counter_vec, HistogramVec, IntCounterVec, TextEncoder};

const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
const LAG_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0];

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    // Registered once per process; a name clash is a programming error
    // caught by the first test that touches metrics.
    register_int_counter_vec!(name, help, labels).unwrap_or_else(|e| panic!("metric {name}: {e}"))
}

fn histogram(name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    register_histogram_vec!(name, help, labels, buckets.to_vec()).unwrap_or_else(|e| panic!("metric {name}: {e}"))
}

pub static HTTP_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "catalog_sync_http_requests_total",
        "HTTP requests answered, by service, method, route and status.",
        &["service", "method", "route", "status"],
    )
});
pub static HTTP_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram("catalog_sync_http_request_duration_seconds", "Time to answer an HTTP request.", &["service", "route"], LATENCY_BUCKETS)
});
/// `kind`: change (the relay), retry, dead_letter, replay.
pub static MESSAGES_PUBLISHED: LazyLock<IntCounterVec> =
    LazyLock::new(|| counter("catalog_sync_messages_published_total", "Messages published to RabbitMQ and confirmed, by kind.", &["kind"]));
/// `outcome`: synced, up_to_date, unknown, retried, dead_lettered, requeued, unreadable.
pub static MESSAGES_CONSUMED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "catalog_sync_messages_consumed_total",
        "Change messages handled by the workers, by integration and outcome.",
        &["integration", "outcome"],
    )
});
/// `outcome`: ok, not_found, client_error, rate_limited, server_error, network_error.
pub static STRIPE_CALLS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter("catalog_sync_stripe_calls_total", "Calls to the Stripe API, by method, path and outcome.", &["method", "path", "outcome"])
});
pub static STRIPE_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram("catalog_sync_stripe_call_duration_seconds", "Latency of Stripe API calls.", &["method", "path"], LATENCY_BUCKETS)
});
/// `stage`: received (outcome accepted, duplicate, refused) or handled
/// (outcome applied, skipped, ignored, rejected, failed, retrying).
pub static WEBHOOK_EVENTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "catalog_sync_stripe_events_total",
        "Stripe events received and handled, by type, stage and outcome.",
        &["type", "stage", "outcome"],
    )
});
/// Deletes reported by an integration that the mass-deletion guard held.
pub static DELETIONS_HELD: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "catalog_sync_deletions_held_total",
        "Deletes reported by an integration and held by the mass-deletion guard.",
        &["integration"],
    )
});
/// Deletes held and not decided yet, per integration, as the database says
/// when the API's `/metrics` is read.
pub static DELETIONS_WAITING: LazyLock<prometheus::IntGaugeVec> = LazyLock::new(|| {
    prometheus::register_int_gauge_vec!(
        "catalog_sync_held_deletions",
        "Deletes held by the mass-deletion guard that wait for an operator to release or discard them.",
        &["integration"]
    )
    .unwrap_or_else(|e| panic!("metric catalog_sync_held_deletions: {e}"))
});
/// `direction`: outward (local change to Stripe write), inward (Stripe
/// event to local write).
pub static SYNC_LAG_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram("catalog_sync_sync_lag_seconds", "From a change on one side to its write on the other.", &["direction"], LAG_BUCKETS)
});

/// Records the lag of a change made at `since`, now written on the other side.
pub fn observe_lag(direction: &str, since: chrono::DateTime<chrono::Utc>) {
    let seconds = (chrono::Utc::now() - since).num_milliseconds().max(0) as f64 / 1000.0;
    SYNC_LAG_SECONDS.with_label_values(&[direction]).observe(seconds);
}

/// A path with its ids replaced, so each endpoint is one label value:
/// `/customers/cus_123` → `/customers/{id}`.
pub fn path_template(path: &str) -> String {
    path.split('/').map(|segment| if is_stripe_id(segment) { "{id}" } else { segment }).collect::<Vec<_>>().join("/")
}

/// `cus_NffrFeUfNV2Hib`: a lower-case prefix, `_`, a mixed-case random part.
fn is_stripe_id(segment: &str) -> bool {
    match segment.split_once('_') {
        Some((prefix, rest)) => {
            !prefix.is_empty()
                && prefix.chars().all(|c| c.is_ascii_lowercase())
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
                && rest.chars().any(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        }
        None => false,
    }
}

/// The whole registry in the Prometheus text format.
pub fn render() -> String {
    TextEncoder::new().encode_to_string(&prometheus::gather()).unwrap_or_else(|e| format!("# metrics could not be encoded: {e}\n"))
}

/// `GET /metrics`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(render())
}

/// Middleware counting every request of `service` by its route pattern
/// (not its path: ids would make a label value each).
pub async fn track_requests(
    service: &'static str,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    // Bounded: a client can send any method token.
    let method = crate::http::method_label(req.method());
    let response = next.call(req).await?;
    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16().to_string();
    HTTP_REQUESTS.with_label_values(&[service, method, &route, &status]).inc();
    HTTP_SECONDS.with_label_values(&[service, &route]).observe(started.elapsed().as_secs_f64());
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_leave_the_path_labels() {
        assert_eq!(path_template("/customers/cus_9aZ"), "/customers/{id}");
        assert_eq!(path_template("/customers"), "/customers");
        assert_eq!(path_template("/webhook_endpoints"), "/webhook_endpoints");
    }

    #[test]
    fn the_registry_renders_what_was_counted() {
        MESSAGES_PUBLISHED.with_label_values(&["unit-test"]).inc();
        assert!(render().contains("catalog_sync_messages_published_total{kind=\"unit-test\"} 1"));
    }
}
