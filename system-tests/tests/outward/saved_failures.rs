//! A 5xx Stripe keeps under the request's idempotency key: it began
//! executing, so Stripe saved the answer and replays it to every resend
//! with that key for a day (docs.stripe.com/api/idempotent_requests). The
//! write may or may not have happened. Once Stripe replays it (the key is
//! then known to be spent), it is settled from what Stripe holds and sent
//! again under a new key derived from the journal: nothing is doubled, and
//! nothing waits a day. A 5xx that is not a replay may come from in front
//! of Stripe while the request is still on its way: the key is kept.

use serde_json::json;
use testkit::{Calls, Fault, LocalStripe, StripeDouble};

use crate::support::{email, Stack};

async fn stack_behind_double(stripe: &LocalStripe) -> (Stack, StripeDouble) {
    let double = StripeDouble::start(Some(stripe.url.clone())).expect("start the Stripe double");
    let mut stack = Stack::start(&double.url).await;
    stack.add_worker();
    (stack, double)
}

/// The keys the calls of `method path` went under, in order.
fn keys(double: &StripeDouble, method: &str, path: &str) -> Vec<String> {
    double.log().into_iter().filter(|c| c.method == method && c.path == path).filter_map(|c| c.idempotency_key).collect()
}

async fn a_create_answered_with_a_kept_500(landed: bool) {
    let stripe = LocalStripe::start().await;
    let (stack, double) = stack_behind_double(&stripe).await;
    double.fault(Calls::new("POST", "/v1/customers"), Fault::ServerError { status: 500, landed }, Some(1));
    let address = email(if landed { "kept500_landed" } else { "kept500_not" });

    let id = stack.create("Kept", &address).await["id"].as_str().unwrap().to_owned();
    let link = stack.wait_synced(&id, 1).await;

    let remote = stripe.customers_by_email(&address).await;
    assert_eq!(remote.len(), 1, "one Stripe customer (landed: {landed}): {remote:?}");
    assert_eq!(link.external_id.as_deref(), remote[0]["id"].as_str());
    let sent = keys(&double, "POST", "/v1/customers");
    let first = &sent[0];
    if landed {
        assert_eq!(sent.len(), 1, "the landed create was found, not made again: {sent:?}");
    } else {
        assert_eq!(sent, [first.clone(), first.clone(), format!("{first}:r1")], "again under its key, then a new one once replayed");
    }
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_stripe_kept_a_500_for_after_it_landed_is_found_not_doubled() {
    a_create_answered_with_a_kept_500(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_stripe_kept_a_500_for_before_it_landed_goes_again_under_a_new_key() {
    a_create_answered_with_a_kept_500(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_stripe_kept_a_500_for_goes_again_under_a_new_key_and_a_delete_after_it_too() {
    let stripe = LocalStripe::start().await;
    let (stack, double) = stack_behind_double(&stripe).await;
    let address = email("kept500_update");
    let id = stack.create("First", &address).await["id"].as_str().unwrap().to_owned();
    let external = stack.wait_synced(&id, 1).await.external_id.expect("linked");
    let path = format!("/v1/customers/{external}");
    double.fault(Calls::new("POST", &path), Fault::ServerError { status: 500, landed: false }, Some(1));

    stack.patch(&id, json!({"name": "Second"})).await;
    stack.wait_synced(&id, 2).await;

    let remote = stripe.customer(&external).await;
    assert_eq!((remote["name"].as_str(), remote["metadata"]["catalog_sync_version"].as_str()), (Some("Second"), Some("2")));
    let sent = keys(&double, "POST", &path);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!((&sent[1], &sent[2]), (&sent[0], &format!("{}:r1", sent[0])), "the next key is derived from the journaled one");
    let replayed = double.log().iter().filter(|c| c.path == path && c.replayed).count();
    assert_eq!(replayed, 1, "the kept 500 was asked for once more, then never again");

    stack.delete(&id).await;
    stack.wait_synced(&id, 3).await;
    assert!(stripe.customers_by_email(&address).await.is_empty(), "deleted in Stripe");
    stack.cleanup().await;
}

/// The create held on its way past the worker's patience, its resend
/// answered 503 from in front of Stripe (nothing kept under the key): the
/// key is kept, so the held create, landing last, is answered from it and
/// makes no second customer (found by the soak, seed 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_that_is_no_replay_keeps_the_key_and_a_held_create_landing_late_doubles_nothing() {
    let stripe = LocalStripe::start().await;
    let double = StripeDouble::start(Some(stripe.url.clone())).expect("start the Stripe double");
    let mut stack = Stack::start_with(&double.url, |s| s.stripe.timeout_ms = 1_000).await;
    stack.add_worker();
    double.fault(Calls::new("POST", "/v1/customers"), Fault::Hold(None), Some(1));
    double.fault(Calls::new("POST", "/v1/customers"), Fault::Fail(503), Some(1));
    let address = email("held_then_503");

    let id = stack.create("Held", &address).await["id"].as_str().unwrap().to_owned();
    stack.wait_synced(&id, 1).await;
    double.release_held();
    testkit::wait_for("the held create to land", crate::support::WAIT, || async { (double.held() == 0).then_some(()) }).await;

    let remote = stripe.customers_by_email(&address).await;
    assert_eq!(remote.len(), 1, "one Stripe customer: {remote:?}");
    let sent = keys(&double, "POST", "/v1/customers");
    assert!(sent.iter().all(|k| *k == sent[0]), "one key throughout: {sent:?}");
    stack.cleanup().await;
}
