//! Failure paths: Stripe answering 5xx while an event needs it, and our
//! own database gone while Stripe delivers.

use serde_json::{json, Value};
use testkit::TcpProxy;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{customer_event, customer_id, email, event_id, remote_customer, Inward};

#[tokio::test]
async fn an_event_stripe_cannot_help_with_is_retried_then_failed_and_blocks_nothing() {
    let stripe = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "boom", "type": "api_error"}})))
        .mount(&stripe)
        .await;
    let base = stripe.uri();
    let stack = Inward::start("webhook", |s| s.stripe.api_base = base.clone()).await;
    let cus = customer_id();
    let address = email("tie");
    let t = 1_800_000_000;
    let first = customer_event(&event_id(), "created", t, remote_customer(&cus, "First", &address));
    stack.deliver(&first).await;
    assert_eq!(stack.handled(first["id"].as_str().unwrap()).await.status, "applied");

    // Same second: settling it needs Stripe, which answers 500 every time.
    let tie = customer_event(&event_id(), "updated", t, remote_customer(&cus, "Second", &address));
    stack.deliver(&tie).await;
    let other_address = email("other");
    let other = customer_event(&event_id(), "created", t, remote_customer(&customer_id(), "Other", &other_address));
    stack.deliver(&other).await;
    assert_eq!(stack.handled(other["id"].as_str().unwrap()).await.status, "applied", "the stuck event blocks no other");

    let failed = stack.handled(tie["id"].as_str().unwrap()).await;
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.attempts, 4, "RETRY_MAX_ATTEMPTS of the test settings");
    assert!(failed.detail.unwrap_or_default().contains("boom"));
    assert_eq!(stripe.received_requests().await.unwrap().len(), 4);
    assert_eq!(stack.local_by_email(&address).await[0]["name"], "First", "nothing half-applied");
    let (_, status) = stack.get("/sync/status").await;
    assert_eq!(status["integrations"]["stripe"]["inward"]["failed"], 1, "{status}");
    stack.cleanup().await;
}

#[tokio::test]
async fn while_the_database_is_away_deliveries_get_503_and_the_redelivery_is_applied() {
    let mut stack = Inward::start("webhook", |_| {}).await;
    stack.stop_webhook_service().await;
    let postgres = TcpProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    stack.settings.database.url = stack.db.url.replace("127.0.0.1:5432", &postgres.addr.to_string());
    assert_ne!(stack.settings.database.url, stack.db.url, "the service reaches PostgreSQL through the proxy");
    stack.start_webhook_service().await;

    let address = email("away");
    let event = customer_event(&event_id(), "created", 1_800_000_000, remote_customer(&customer_id(), "Away", &address));
    postgres.cut();
    let response = stack.deliver(&event).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.json::<Value>().await.unwrap()["error"]["code"], "service_unavailable");

    // Stripe delivers again later; now it is stored and applied.
    postgres.restore();
    let response = stack.deliver(&event).await;
    assert_eq!(response.status(), 200);
    assert_eq!(stack.handled(event["id"].as_str().unwrap()).await.status, "applied");
    assert_eq!(stack.local_by_email(&address).await.len(), 1);
    stack.cleanup().await;
}
