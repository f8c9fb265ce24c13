//! The poller against a Stripe double: one that lists newest first, as
//! Stripe does (the emulator lists oldest first; the emulator tests cover
//! that), and one that keeps failing.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use stripe_integration::reads::StripeApi;
use stripe_integration::signature::Verifier;
use stripe_integration::StripeFeed;
use sync_core::inward::Poller;
use tokio::sync::Notify;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{customer_event, remote_customer, Inward, WAIT};

#[tokio::test]
async fn a_newest_first_event_list_is_read_whole_and_the_cursor_moves_on() {
    let db = testkit::TestDb::create().await;
    let now = chrono::Utc::now().timestamp();
    let event =
        |n: i64| customer_event(&format!("evt_{n}"), "updated", now + n, remote_customer("cus_1", &format!("Name {n}"), "a@example.com"));
    let stripe = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .and(query_param_is_missing("starting_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": [event(3), event(2)], "has_more": true})))
        .mount(&stripe)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .and(query_param("starting_after", "evt_2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": [event(1)], "has_more": false})))
        .mount(&stripe)
        .await;

    let pool = shared_models::db::build_pool(&db.url, 2).unwrap();
    let api = Arc::new(StripeApi::new(&stripe.uri(), "sk_test_x", Duration::from_secs(5)).unwrap());
    let poller =
        Poller::new(pool, Arc::new(StripeFeed::new(api, Verifier::new(&[], 300))), Duration::from_secs(5), Arc::new(Notify::new()));

    assert_eq!(poller.poll_once().await.unwrap(), 3);
    assert_eq!(db.count("SELECT count(*) FROM inbound_events WHERE source = 'poll'").await, 3);
    assert_eq!(db.count(&format!("SELECT created_from FROM poll_cursors WHERE created_from = {}", now + 3)).await, now + 3);
    let requests = stripe.received_requests().await.unwrap();
    let first = requests[0].url.query().unwrap_or_default().to_owned();
    assert!(first.contains("created%5Bgte%5D=") || first.contains("created[gte]="), "{first}");

    // Read again: the same events are already in the inbox.
    assert_eq!(poller.poll_once().await.unwrap(), 0);
    db.cleanup().await;
}

#[tokio::test]
async fn a_poller_that_keeps_failing_shows_in_ready_and_sync_status_until_it_recovers() {
    // Arrange: Stripe's event list answers 500 to every poll.
    let stripe = MockServer::start().await;
    let boom = ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "boom", "type": "api_error"}}));
    Mock::given(method("GET")).and(path("/v1/events")).respond_with(boom).mount(&stripe).await;
    let base = stripe.uri();
    let stack = Inward::start("poll", |s| {
        s.stripe.api_base = base.clone();
        s.stripe.poll_interval_ms = 100;
    })
    .await;
    let ready = || async {
        let response = stack.http.get(format!("{}/ready", stack.hooks)).send().await.unwrap();
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    };

    // Act 1: the poller fails poll after poll.
    let (status, body) = testkit::wait_for("/ready to give up on the poller", WAIT, || async {
        let (status, body) = ready().await;
        (status == 503).then_some((status, body))
    })
    .await;

    // Assert 1: /ready says why; /sync/status shows the same.
    assert_eq!((status, &body["status"]), (503, &json!("unavailable")), "{body}");
    let why = body["checks"]["poller"].as_str().unwrap();
    assert!(why.starts_with("failing: ") && why.contains("boom"), "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    let (_, status_view) = stack.get("/sync/status").await;
    let poller = &status_view["integrations"]["stripe"]["poller"];
    assert_eq!(poller["failing"], true, "{status_view}");
    assert!(poller["consecutive_failures"].as_i64().unwrap() >= 5, "{status_view}");
    assert!(poller["last_error"].as_str().unwrap().contains("boom"), "{status_view}");
    assert_eq!(status_view["integrations"]["stripe"]["inbox"]["pending"], 0, "{status_view}");

    // Act 2: Stripe answers again.
    stripe.reset().await;
    let empty = ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": [], "has_more": false}));
    Mock::given(method("GET")).and(path("/v1/events")).respond_with(empty).mount(&stripe).await;

    // Assert 2: ready again, and the failure streak is over.
    let body = testkit::wait_for("/ready to recover", WAIT, || async {
        let (status, body) = ready().await;
        (status == 200).then_some(body)
    })
    .await;
    assert_eq!(body["checks"]["poller"], "ok", "{body}");
    let (_, status_view) = stack.get("/sync/status").await;
    let poller = &status_view["integrations"]["stripe"]["poller"];
    assert_eq!((&poller["failing"], &poller["consecutive_failures"], &poller["last_error"]), (&json!(false), &json!(0), &Value::Null));
    assert!(poller["last_success_at"].is_string(), "{status_view}");
    stack.cleanup().await;
}
