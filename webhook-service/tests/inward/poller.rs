//! The poller against a Stripe double that lists newest first, as Stripe
//! does (the emulator lists oldest first; the emulator tests cover that).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;
use webhook_service::inbound::Poller;
use webhook_service::stripe_api::StripeApi;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{customer_event, remote_customer};

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
    let poller = Poller::new(pool, api, Duration::from_secs(5), Arc::new(Notify::new()));

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
