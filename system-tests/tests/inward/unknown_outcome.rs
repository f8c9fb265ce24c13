//! Our own write whose answer never came, coming back as an event: it is
//! still ours, however late it lands and whatever was edited here since.

use serde_json::Value;
use testkit::{Calls, Fault, StripeDouble};

use crate::support::{email, Inward, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_create_landing_after_a_local_edit_is_an_echo_and_the_edit_survives() {
    // Arrange: the worker reaches Stripe through the double, which holds the
    // create and then loses its answer; the worker waits 6 s for it.
    let mut stack = Inward::start("webhook", |s| s.stripe.timeout_ms = 6_000).await;
    let double = StripeDouble::start(Some(stack.stripe.url.clone())).expect("start the Stripe double");
    stack.settings.stripe.api_base = double.url.clone();
    stack.start_worker();
    double.fault(Calls::new("POST", "/v1/customers"), Fault::HoldAndLose(None), Some(1));
    let address = email("late_echo");
    let id = stack.create_local("Original", &address).await;
    testkit::wait_for("the create held on its way", WAIT, || async { (double.held() == 1).then_some(()) }).await;

    // Act: edited here, then the create (our id, version 1) lands in Stripe,
    // after the edit; its customer.created comes back while the worker
    // still waits for an answer that will never come.
    stack.rename_local(&id, "Edited here").await;
    // Stripe's `created` has one-second resolution: land in a later second,
    // so the event is plainly newer than the edit.
    let edited_at = chrono::Utc::now().timestamp();
    testkit::wait_for("the next second", WAIT, || async { (chrono::Utc::now().timestamp() > edited_at).then_some(()) }).await;
    double.release_held();
    let created = testkit::wait_for("customer.created of the late create to be handled", WAIT, || async {
        let remote = stack.stripe.customers_by_email(&address).await;
        let stripe_id = remote.first()?.get("id")?.as_str()?.to_owned();
        let handled =
            format!("SELECT count(*) FROM inbound_events WHERE payload->'data'->'object'->>'id' = '{stripe_id}' AND status <> 'pending'");
        (stack.db.count(&handled).await > 0).then_some(stripe_id)
    })
    .await;

    // Assert: the catalog keeps the edit, and Stripe ends with it too.
    let (_, customer) = stack.get(&format!("/customers/{id}")).await;
    assert_eq!(customer["name"], "Edited here", "our own late create did not overwrite the edit: {customer}");
    stack.wait_synced(&id, 2).await;
    let remote = stack.stripe.customers_by_email(&address).await;
    assert_eq!(remote.len(), 1, "one Stripe customer: {remote:?}");
    assert_eq!((remote[0]["id"].as_str(), remote[0]["name"].as_str()), (Some(created.as_str()), Some("Edited here")));
    let (_, conflicts) = stack.get("/sync/conflicts").await;
    assert_eq!(conflicts["data"].as_array().map(Vec::len), Some(0), "{conflicts}");
    let (_, customer) = stack.get(&format!("/customers/{id}")).await;
    assert_eq!(customer["version"], Value::from(2), "no version came from Stripe: {customer}");
    stack.cleanup().await;
}
