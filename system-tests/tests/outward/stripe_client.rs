use std::time::{Duration, Instant};

use customer_catalog::CustomerRecord;
use serde_json::json;
use stripe_integration::StripeCustomers;
use sync_core::{Connector, SharedRateLimit, SyncError};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn record() -> CustomerRecord {
    CustomerRecord { id: Uuid::now_v7(), version: 1, name: "Rate Limited".into(), email: "rl@example.com".into() }
}

async fn stripe_answering(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn creates_carry_our_id_in_metadata_and_an_idempotency_key() {
    let server = stripe_answering(200, json!({"id": "cus_1", "object": "customer", "created": 1, "livemode": false, "metadata": {}})).await;
    let stripe = StripeCustomers::new(&server.uri(), "sk_test_x", Duration::from_secs(5), None).unwrap();
    let record = record();

    let id = stripe.create(&record, "key-1").await.unwrap();

    assert_eq!(id, "cus_1");
    let request = &server.received_requests().await.unwrap()[0];
    let body = String::from_utf8_lossy(&request.body);
    assert!(
        body.contains(&format!("metadata[catalog_sync_id]={}", record.id))
            || body.contains(&format!("metadata%5Bcatalog_sync_id%5D={}", record.id)),
        "body: {body}"
    );
    assert!(body.contains("email=rl%40example.com") || body.contains("email=rl@example.com"), "body: {body}");
    assert_eq!(request.headers.get("idempotency-key").map(|v| v.to_str().unwrap()), Some("key-1"));
    assert_eq!(request.headers.get("authorization").map(|v| v.to_str().unwrap()), Some("Bearer sk_test_x"));
}

async fn calls(stripe: &StripeCustomers, record: &CustomerRecord, tag: &str) {
    for i in 0..6 {
        stripe.create(record, &format!("{tag}-{i}")).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_holds_across_worker_processes() {
    let server = stripe_answering(200, json!({"id": "cus_1", "object": "customer", "created": 1, "livemode": false})).await;
    let db = testkit::TestDb::create().await;
    // Two connectors with their own pools stand for two worker processes.
    let worker = |_| {
        let pool = shared_models::db::build_pool(&db.url, 4).unwrap();
        StripeCustomers::new(&server.uri(), "sk_test_x", Duration::from_secs(5), SharedRateLimit::new(pool, "stripe", 5)).unwrap()
    };
    let (a, b) = (worker(0), worker(1));
    let record = record();

    let started = Instant::now();
    tokio::join!(calls(&a, &record, "a"), calls(&b, &record, "b"));

    // 5 per second for both together, with a burst of one call: the 12th
    // call cannot leave before 2.2 s (one worker alone would allow it at 1.0 s).
    assert!(started.elapsed() >= Duration::from_millis(2_100), "12 calls took only {:?}", started.elapsed());
    assert_eq!(server.received_requests().await.unwrap().len(), 12);
    db.cleanup().await;
}

#[tokio::test]
async fn stripe_errors_are_classified_for_the_retry_decision() {
    let bad_request = stripe_answering(400, json!({"error": {"message": "Invalid email address", "type": "invalid_request_error"}})).await;
    let stripe = StripeCustomers::new(&bad_request.uri(), "sk_test_x", Duration::from_secs(5), None).unwrap();
    match stripe.create(&record(), "k").await {
        Err(SyncError::Permanent { message }) => assert!(message.contains("400") && message.contains("Invalid email address"), "{message}"),
        other => panic!("expected a permanent error, got {other:?}"),
    }

    let slow = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))).mount(&slow).await;
    let stripe = StripeCustomers::new(&slow.uri(), "sk_test_x", Duration::from_millis(300), None).unwrap();
    assert!(matches!(stripe.create(&record(), "k").await, Err(SyncError::Transient { .. })), "a timeout is transient");

    let not_json = stripe_answering(502, json!("<html>bad gateway</html>")).await;
    let stripe = StripeCustomers::new(&not_json.uri(), "sk_test_x", Duration::from_secs(5), None).unwrap();
    // A first 5xx: in doubt, sent again under its key (only a 5xx Stripe
    // replays from the key proves the key spent).
    assert!(matches!(stripe.create(&record(), "k").await, Err(SyncError::Transient { .. })), "a 502 is transient");
}
