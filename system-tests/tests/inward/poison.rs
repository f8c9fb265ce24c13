//! Poison records: a Stripe customer holding a NUL, which PostgreSQL cannot
//! store as it is. It must become a visible conflict, never an altered
//! name, and must stop nothing: not the webhook, not the poller's cursor,
//! not a reconcile, not the changes that come after it.

use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{customer_event, email, event_id, Inward, SECRET, WAIT};

const POISON: &str = "Poison\u{0}Pill";

/// The open conflict of Stripe customer `cus`, once it shows.
async fn conflict_of(stack: &Inward, cus: &str) -> Value {
    testkit::wait_for(&format!("a conflict for {cus}"), WAIT, || async {
        let (_, conflicts) = stack.get("/sync/conflicts").await;
        conflicts["data"].as_array()?.iter().find(|c| c["external_id"] == cus).cloned()
    })
    .await
}

/// The emulator's event about customer `cus`, of `kind`.
async fn event_of(stack: &Inward, cus: &str, kind: &str) -> Value {
    let events = stack.stripe.events().await;
    events.into_iter().find(|e| e["data"]["object"]["id"] == cus && e["type"] == kind).expect("the emulator's event")
}

async fn wait_local_name(stack: &Inward, address: &str, name: &str) {
    testkit::wait_for(&format!("{name} to arrive"), WAIT, || async {
        stack.local_by_email(address).await.into_iter().any(|c| c["name"] == name).then_some(())
    })
    .await;
}

/// The inbox gives the event back exactly as Stripe sent it, and it was refused.
async fn assert_handled_as_rejected(stack: &Inward, event: &Value) {
    let stored = stack.handled(event["id"].as_str().unwrap()).await;
    assert_eq!(stored.status, "rejected", "{:?}", stored.detail);
    assert_eq!(stored.payload, *event, "the inbox holds the event as it came");
}

fn assert_poison_conflict(conflict: &Value) {
    assert!(conflict["problem"].as_str().unwrap().contains("control characters"), "{conflict}");
    assert_eq!(conflict["remote"]["name"], POISON, "the record as Stripe sent it, NUL included");
}

#[tokio::test]
async fn a_stripe_customer_with_a_nul_arrives_by_webhook_as_a_conflict_and_blocks_nothing() {
    // Arrange: the emulator's deliveries go to a collector, to be handed on
    // byte for byte and their answers seen.
    let stack = Inward::start("webhook", |_| {}).await;
    let collector = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&collector).await;
    stack.stripe.register_webhook("catalog-sync", &collector.uri(), SECRET).await;
    let poison_email = email("poison");
    let poison = stack.stripe.create_customer(&[("name", POISON), ("email", &poison_email)]).await;
    let cus = poison["id"].as_str().unwrap().to_owned();
    let delivery = testkit::wait_for("the delivery", WAIT, || async { collector.received_requests().await?.pop() }).await;

    // Act 1: Stripe's delivery of the poison record.
    let signature = delivery.headers.get("Stripe-Signature").and_then(|v| v.to_str().ok());
    let response = stack.deliver_raw(&delivery.body, signature).await;

    // Assert 1: stored (2xx), refused as a conflict, the name never applied.
    assert_eq!(response.status(), 200);
    let created = event_of(&stack, &cus, "customer.created").await;
    assert_handled_as_rejected(&stack, &created).await;
    assert_poison_conflict(&conflict_of(&stack, &cus).await);
    assert!(stack.local_by_email(&poison_email).await.is_empty());

    // Act 2: signed events with a NUL elsewhere: in the email and metadata,
    // and in the event id (which keys the inbox).
    let t = chrono::Utc::now().timestamp();
    let odd_cus = crate::support::customer_id();
    let odd = json!({"id": odd_cus, "object": "customer", "name": "Odd", "email": "o\u{0}@example.com", "metadata": {"k\u{0}": "v\u{0}"}});
    let odd_event = customer_event(&event_id(), "created", t, odd);
    let bad_id = customer_event("evt_\u{0}1", "created", t, json!({"id": crate::support::customer_id(), "name": "X"}));
    let odd_response = stack.deliver(&odd_event).await;
    let bad_id_response = stack.deliver(&bad_id).await;

    // Assert 2: the first is stored and kept as a conflict; the second is a
    // clear 400 whose body carries no database text.
    assert_eq!(odd_response.status(), 200);
    let odd_conflict = conflict_of(&stack, &odd_cus).await;
    assert_eq!(odd_conflict["remote"]["metadata"]["k\u{0}"], "v\u{0}", "{odd_conflict}");
    assert!(odd_conflict["problem"].as_str().unwrap().contains("not a valid email"), "{odd_conflict}");
    assert_eq!(bad_id_response.status(), 400);
    let body: Value = bad_id_response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_event", "{body}");
    assert!(!body.to_string().to_lowercase().contains("database"), "{body}");

    // Act 3: a reconcile meets the poison record in Stripe's list.
    let summary = wiring::reconciler(&stack.settings).unwrap().run(false, &()).await;

    // Assert 3: it completes, counting the record as a conflict.
    let summary = summary.expect("the reconcile completes");
    assert_eq!((summary.conflicts, summary.catalog.created), (1, 0), "{summary:?}");

    // Act 4: webhooks reach the service again; later changes in Stripe.
    stack.stripe.register_webhook("catalog-sync", &format!("{}/webhooks/stripe", stack.hooks), SECRET).await;
    let later_email = email("later");
    stack.stripe.create_customer(&[("name", "Later"), ("email", &later_email)]).await;
    stack.stripe.update_customer(&cus, &[("name", "Cured Pill")]).await;

    // Assert 4: both arrive; the fixed record is taken in and its conflict ends.
    wait_local_name(&stack, &later_email, "Later").await;
    wait_local_name(&stack, &poison_email, "Cured Pill").await;
    let (_, conflicts) = stack.get("/sync/conflicts").await;
    assert!(conflicts["data"].as_array().unwrap().iter().all(|c| c["external_id"] != cus.as_str()), "{conflicts}");
    stack.cleanup().await;
}

#[tokio::test]
async fn a_stripe_customer_with_a_nul_arrives_by_polling_and_the_cursor_moves_on() {
    // Arrange
    let stack = Inward::start("poll", |s| s.stripe.poll_interval_ms = 300).await;
    let cursor = || stack.db.count("SELECT coalesce(max(created_from), 0) FROM poll_cursors");
    testkit::wait_for("the first poll", WAIT, || async { (cursor().await > 0).then_some(()) }).await;

    // Act: the poison record, then a normal change made after it.
    let poison_email = email("poison");
    let poison = stack.stripe.create_customer(&[("name", POISON), ("email", &poison_email)]).await;
    let cus = poison["id"].as_str().unwrap().to_owned();
    let after_email = email("after");
    stack.stripe.create_customer(&[("name", "After Poison"), ("email", &after_email)]).await;

    // Assert: the later change arrives, the poison record is a conflict,
    // and the cursor has moved past it.
    wait_local_name(&stack, &after_email, "After Poison").await;
    let created = event_of(&stack, &cus, "customer.created").await;
    assert_handled_as_rejected(&stack, &created).await;
    assert_poison_conflict(&conflict_of(&stack, &cus).await);
    assert!(stack.local_by_email(&poison_email).await.is_empty());
    let poison_created = created["created"].as_i64().unwrap();
    testkit::wait_for("the cursor to pass the poison record", WAIT, || async { (cursor().await >= poison_created).then_some(()) }).await;
    let ready: Value = stack.http.get(format!("{}/ready", stack.hooks)).send().await.unwrap().json().await.unwrap();
    assert_eq!((&ready["status"], &ready["checks"]["poller"]), (&json!("ready"), &json!("ok")), "{ready}");

    // Deleted in Stripe: nothing to delete here, and the conflict is over.
    stack.stripe.delete_customer(&cus).await;
    testkit::wait_for("the conflict to end", WAIT, || async {
        let (_, conflicts) = stack.get("/sync/conflicts").await;
        conflicts["data"].as_array()?.is_empty().then_some(())
    })
    .await;
    stack.cleanup().await;
}
