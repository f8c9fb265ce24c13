//! Against the localstripe emulator, with its webhook registered to the
//! running service (or to a collector that hands deliveries over late).

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{email, Inward, WAIT};

/// Waits until the catalog shows a customer with `email` satisfying `check`.
async fn wait_local(stack: &Inward, email: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    testkit::wait_for(what, WAIT, || async { stack.local_by_email(email).await.into_iter().find(|c| check(c)) }).await
}

async fn stripe_changes_reach_the_catalog(stack: &Inward) {
    let address = email("remote");
    let created = stack.stripe.create_customer(&[("name", "Made In Stripe"), ("email", &address)]).await;
    let cus = created["id"].as_str().unwrap();
    let local = wait_local(stack, &address, "the Stripe customer to appear", |c| c["name"] == "Made In Stripe").await;
    assert_eq!(local["sync"]["stripe"]["external_id"], cus);
    assert_eq!(local["sync"]["stripe"]["status"], "synced");

    stack.stripe.update_customer(cus, &[("name", "Renamed In Stripe")]).await;
    wait_local(stack, &address, "the rename to arrive", |c| c["name"] == "Renamed In Stripe").await;

    stack.stripe.delete_customer(cus).await;
    let id = local["id"].as_str().unwrap().to_owned();
    testkit::wait_for("the delete to arrive", WAIT, || async { (stack.get(&format!("/customers/{id}")).await.0 == 404).then_some(()) })
        .await;
    assert!(stack.local_by_email(&address).await.is_empty());
    // Nothing went back to Stripe: the emulator saw only the three changes made there.
    assert_eq!(stack.stripe.events().await.len(), 3);
}

#[tokio::test]
async fn changes_made_in_stripe_arrive_by_webhook() {
    let stack = Inward::start("webhook", |_| {}).await;
    stripe_changes_reach_the_catalog(&stack).await;

    // /metrics counts them (per process: other tests add to the figures).
    testkit::assert_counted(
        &stack.hooks,
        &[
            r#"catalog_sync_stripe_events_total{outcome="accepted",stage="received",type="customer.created"}"#,
            r#"catalog_sync_stripe_events_total{outcome="applied",stage="handled",type="customer.deleted"}"#,
            r#"catalog_sync_sync_lag_seconds_count{direction="inward"}"#,
            r#"catalog_sync_http_requests_total{method="POST",route="/webhooks/{integration}",service="webhook-service",status="200"}"#,
        ],
    )
    .await;
    stack.cleanup().await;
}

#[tokio::test]
async fn changes_made_in_stripe_arrive_by_polling() {
    let stack = Inward::start("poll", |s| s.stripe.poll_interval_ms = 300).await;
    stripe_changes_reach_the_catalog(&stack).await;
    let mut conn = stack.db.connect().await;
    let sources = shared_models::db::inbound_events::count_pending(&mut conn).await.unwrap();
    assert_eq!(sources, 0);
    assert_eq!(stack.db.count("SELECT count(*) FROM inbound_events WHERE source = 'poll'").await, 3);
    stack.cleanup().await;
}

#[tokio::test]
async fn a_stopped_service_catches_up_from_the_event_list() {
    let mut stack = Inward::start("both", |s| s.stripe.poll_interval_ms = 300).await;
    testkit::wait_for("the first poll to save its cursor", WAIT, || async {
        (stack.db.count("SELECT count(*) FROM poll_cursors").await == 1).then_some(())
    })
    .await;
    stack.stop_webhook_service().await;

    // Webhooks sent now go nowhere (the emulator never retries them).
    let address = email("offline");
    let created = stack.stripe.create_customer(&[("name", "While Away"), ("email", &address)]).await;
    stack.stripe.update_customer(created["id"].as_str().unwrap(), &[("name", "Changed While Away")]).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(stack.local_by_email(&address).await.is_empty());

    stack.start_webhook_service().await;
    wait_local(&stack, &address, "the poller to catch up", |c| c["name"] == "Changed While Away").await;
    stack.cleanup().await;
}

/// Waits until Stripe holds `version` of the customer and every event the
/// emulator made so far was handled by the inbox.
async fn wait_settled(stack: &Inward, id: &str, version: i64) {
    stack.wait_synced(id, version).await;
    let made = stack.stripe.events().await.len() as i64;
    testkit::wait_for("every event to be handled", WAIT, || async {
        let handled = stack.db.count("SELECT count(*) FROM inbound_events WHERE status <> 'pending'").await;
        (handled >= made).then_some(())
    })
    .await;
}

#[tokio::test]
async fn our_own_writes_coming_back_change_nothing() {
    let mut stack = Inward::start("webhook", |_| {}).await;
    stack.start_worker();
    let address = email("echo");
    let id = stack.create_local("Ours", &address).await;
    wait_settled(&stack, &id, 1).await;
    stack.rename_local(&id, "Ours, renamed").await;
    wait_settled(&stack, &id, 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    assert_eq!(stack.local_by_email(&address).await.len(), 1);
    assert_eq!(stack.stripe.customers_by_email(&address).await.len(), 1);
    let (_, local) = stack.get(&format!("/customers/{id}")).await;
    assert_eq!(local["version"], 2, "the echoes made no new local version");
    let kinds: Vec<String> = stack.stripe.events().await.iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["customer.created", "customer.updated"], "one Stripe write per local change, none caused by the echoes");
    let echoes = stack.db.count("SELECT count(*) FROM inbound_events WHERE status = 'skipped' AND detail LIKE 'echo%'").await;
    assert_eq!(echoes, 2);
    stack.cleanup().await;
}

#[tokio::test]
async fn rapid_local_edits_with_late_shuffled_webhooks_end_on_the_last_edit() {
    let mut stack = Inward::start("webhook", |_| {}).await;
    // The emulator's deliveries go to a collector first; they reach the
    // service only after every edit was written to Stripe, newest first.
    let collector = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&collector).await;
    stack.stripe.register_webhook("catalog-sync", &collector.uri(), crate::support::SECRET).await;
    stack.start_worker();

    let address = email("rapid");
    let id = stack.create_local("A", &address).await;
    stack.wait_synced(&id, 1).await;
    for name in ["B", "C", "D"] {
        stack.rename_local(&id, name).await;
    }
    stack.wait_synced(&id, 4).await;
    let writes = stack.stripe.events().await.len();
    assert!((2..=4).contains(&writes), "4 local versions made {writes} Stripe writes");
    let deliveries = testkit::wait_for("every webhook to reach the collector", WAIT, || async {
        let received = collector.received_requests().await.unwrap_or_default();
        (received.len() >= writes).then_some(received)
    })
    .await;

    for delivery in deliveries.iter().rev() {
        let signature = delivery.headers.get("Stripe-Signature").and_then(|v| v.to_str().ok());
        let response = stack.deliver_raw(&delivery.body, signature).await;
        assert_eq!(response.status(), 200);
    }
    wait_settled(&stack, &id, 4).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let (_, local) = stack.get(&format!("/customers/{id}")).await;
    assert_eq!(local["name"], "D");
    assert_eq!(local["version"], 4);
    let remote = stack.stripe.customers_by_email(&address).await;
    assert_eq!(remote.len(), 1);
    assert_eq!(remote[0]["name"], "D");
    assert_eq!(stack.stripe.events().await.len(), writes, "no write caused by the late webhooks");
    stack.cleanup().await;
}

#[tokio::test]
async fn edits_on_both_sides_at_once_converge() {
    let mut stack = Inward::start("webhook", |_| {}).await;
    stack.start_worker();
    let address = email("both");
    let id = stack.create_local("Start", &address).await;
    wait_settled(&stack, &id, 1).await;
    let cus = stack.stripe.customers_by_email(&address).await[0]["id"].as_str().unwrap().to_owned();

    let local_edit = stack.http.patch(format!("{}/customers/{id}", stack.api)).json(&json!({"name": "Edited Here"})).send();
    let stripe_edit = stack.stripe.update_customer(&cus, &[("name", "Edited In Stripe")]);
    let (patched, _) = tokio::join!(local_edit, stripe_edit);
    assert_eq!(patched.unwrap().status(), 200);

    let converged = testkit::wait_for("both sides to agree", WAIT, || async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, local) = stack.get(&format!("/customers/{id}")).await;
        let remote = stack.stripe.customer(&cus).await;
        let pending = stack.db.count("SELECT count(*) FROM inbound_events WHERE status = 'pending'").await;
        (local["name"] == remote["name"] && local["sync"]["stripe"]["status"] == "synced" && pending == 0).then(|| local["name"].clone())
    })
    .await;
    assert!(converged == "Edited Here" || converged == "Edited In Stripe", "{converged}");
    stack.cleanup().await;
}
