//! Writes whose answer never came. Stripe may still apply such a request
//! later (a slow network, a client that gave up): the double holds it past
//! the worker's timeout, then lets it land. It honours idempotency keys as
//! Stripe does, which localstripe behind it does not.

use std::time::Duration;

use serde_json::json;
use testkit::{Calls, Fault, LocalStripe, StripeDouble};

use crate::support::{email, Stack, WAIT};

/// The worker gives up on Stripe after this; held calls outlast it.
const TIMEOUT_MS: u64 = 1_000;

async fn stack_behind_double(stripe: &LocalStripe) -> (Stack, StripeDouble) {
    let double = StripeDouble::start(Some(stripe.url.clone())).expect("start the Stripe double");
    let mut stack = Stack::start_with(&double.url, |s| s.stripe.timeout_ms = TIMEOUT_MS).await;
    stack.add_worker();
    (stack, double)
}

async fn wait_held(double: &StripeDouble, count: u64) {
    testkit::wait_for(&format!("{count} call(s) held on the way to Stripe"), WAIT, || async { (double.held() == count).then_some(()) })
        .await;
}

/// Lets the held calls land, and waits until they have.
async fn land_held(double: &StripeDouble) {
    double.release_held();
    wait_held(double, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_lands_after_its_retry_and_an_edit_leaves_one_stripe_customer_with_the_edit() {
    // Arrange: the first create is held on its way to Stripe.
    let stripe = LocalStripe::start().await;
    let (stack, double) = stack_behind_double(&stripe).await;
    double.fault(Calls::new("POST", "/v1/customers"), Fault::Hold(None), Some(1));
    let address = email("late_create");
    let id = stack.create("Before", &address).await["id"].as_str().unwrap().to_owned();
    wait_held(&double, 1).await;

    // Act: edited while the create is in doubt; the held create lands last.
    stack.patch(&id, json!({"name": "After"})).await;
    stack.wait_synced(&id, 2).await;
    land_held(&double).await;

    // Assert: one Stripe customer, with the edit; the late create was a replay.
    let remote = stripe.customers_by_email(&address).await;
    assert_eq!(remote.len(), 1, "exactly one Stripe customer: {remote:?}");
    assert_eq!(remote[0]["name"], "After");
    assert_eq!(remote[0]["metadata"]["catalog_sync_version"], "2");
    let link = stack.link(&id).await.expect("link");
    assert_eq!(link.external_id.as_deref(), remote[0]["id"].as_str());
    let creates: Vec<_> = double.log().into_iter().filter(|c| c.method == "POST" && c.path == "/v1/customers").collect();
    assert!(creates.len() >= 2 && creates.iter().all(|c| c.idempotency_key == creates[0].idempotency_key), "{creates:?}");
    assert!(creates.iter().any(|c| c.replayed), "the late original was answered from its key: {creates:?}");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_lands_after_the_customer_was_deleted_leaves_nothing_in_stripe() {
    let stripe = LocalStripe::start().await;
    let (stack, double) = stack_behind_double(&stripe).await;
    double.fault(Calls::new("POST", "/v1/customers"), Fault::Hold(None), Some(1));
    let address = email("late_orphan");
    let id = stack.create("Orphan", &address).await["id"].as_str().unwrap().to_owned();
    wait_held(&double, 1).await;

    stack.delete(&id).await;
    stack.wait_synced(&id, 2).await;
    land_held(&double).await;

    assert!(stripe.customers_by_email(&address).await.is_empty(), "no live Stripe customer of a deleted customer");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_that_lands_after_a_newer_one_does_not_win_in_stripe() {
    // Arrange: a synced customer whose next update is held.
    let stripe = LocalStripe::start().await;
    let (stack, double) = stack_behind_double(&stripe).await;
    let address = email("late_update");
    let id = stack.create("One", &address).await["id"].as_str().unwrap().to_owned();
    let external = stack.wait_synced(&id, 1).await.external_id.expect("linked");
    double.fault(Calls::new("POST", &format!("/v1/customers/{external}")), Fault::Hold(None), Some(1));

    // Act: v2 is held, v3 follows, then v2 lands.
    stack.patch(&id, json!({"name": "Two"})).await;
    wait_held(&double, 1).await;
    stack.patch(&id, json!({"name": "Three"})).await;
    stack.wait_synced(&id, 3).await;
    land_held(&double).await;

    // Assert: Stripe holds v3, as the API says.
    let remote = stripe.customer(&external).await;
    assert_eq!((remote["name"].as_str(), remote["metadata"]["catalog_sync_version"].as_str()), (Some("Three"), Some("3")));
    assert_eq!(stack.get(&id).await["sync"]["stripe"]["status"], "synced");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_lost_after_the_write_landed_is_settled_by_its_key_without_a_second_write() {
    let stripe = LocalStripe::start().await;
    let (stack, double) = stack_behind_double(&stripe).await;
    double.fault(Calls::new("POST", "/v1/customers"), Fault::LoseAnswer, Some(1));
    let address = email("lost_answer");

    let id = stack.create("Lost", &address).await["id"].as_str().unwrap().to_owned();
    stack.wait_synced(&id, 1).await;

    assert_eq!(stripe.customers_by_email(&address).await.len(), 1);
    let landed = double.log().into_iter().filter(|c| c.path == "/v1/customers" && c.method == "POST" && !c.replayed).count();
    assert_eq!(landed, 1, "Stripe executed the create once");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_writes_answer_while_the_workers_stripe_call_hangs() {
    // Arrange: the worker waits a long time for Stripe, which holds its update.
    let stripe = LocalStripe::start().await;
    let double = StripeDouble::start(Some(stripe.url.clone())).expect("start the Stripe double");
    let mut stack = Stack::start_with(&double.url, |s| s.stripe.timeout_ms = 60_000).await;
    stack.add_worker();
    let id = stack.create("Patient", &email("hang")).await["id"].as_str().unwrap().to_owned();
    let external = stack.wait_synced(&id, 1).await.external_id.expect("linked");
    double.fault(Calls::new("POST", &format!("/v1/customers/{external}")), Fault::Hold(None), Some(1));
    stack.patch(&id, json!({"name": "Edit while Stripe hangs"})).await;
    wait_held(&double, 1).await;

    // Act: more writes of the same customer while that call hangs. The
    // client's patience is far below the worker's 60 s wait on Stripe.
    let impatient = testkit::http_builder().timeout(Duration::from_secs(10)).build().unwrap();
    let url = format!("{}/customers/{id}", stack.api);
    let patched = impatient.patch(&url).json(&json!({"name": "Second edit"})).send().await.expect("PATCH answered while Stripe hangs");
    let put = impatient.put(&url).json(&json!({"name": "Third edit", "email": email("hang3")})).send().await.expect("PUT answered");
    let read = impatient.get(&url).send().await.expect("GET answered");

    // Assert: all answered while the Stripe call still hangs; then it syncs.
    assert_eq!((patched.status().as_u16(), put.status().as_u16(), read.status().as_u16()), (200, 200, 200));
    assert_eq!(double.held(), 1, "the worker's Stripe call was still hanging");
    land_held(&double).await;
    stack.wait_synced(&id, 4).await;
    assert_eq!(stripe.customer(&external).await["name"], "Third edit");
    stack.cleanup().await;
}
