//! A delete Stripe never made (a forged or misrouted `customer.deleted`,
//! signed with a leaked secret) is undone by reconcile; Stripe is never
//! touched.

use serde_json::json;
use webhook_service::reconcile::{Changes, Summary};

use crate::support::{customer_event, email, event_id, remote_customer, Inward, WAIT};

async fn reconcile(stack: &Inward, dry_run: bool) -> Summary {
    wiring::reconciler(&stack.settings).unwrap().run(dry_run, &()).await.unwrap()
}

#[tokio::test]
async fn a_local_delete_stripe_does_not_confirm_is_undone_by_reconcile() {
    // Arrange: a customer made in Stripe, then "deleted" by a forged event
    // signed with the (leaked) secret, while Stripe holds it live.
    let stack = Inward::start("webhook", |_| {}).await;
    let address = email("forged");
    let cus = stack.stripe.create_customer(&[("name", "Real"), ("email", &address)]).await;
    let cus = cus["id"].as_str().unwrap().to_owned();
    let local = testkit::wait_for("the customer to arrive", WAIT, || async { stack.local_by_email(&address).await.pop() }).await;
    let id = local["id"].as_str().unwrap().to_owned();
    let later = chrono::Utc::now().timestamp() + 5;
    let forged = customer_event(&event_id(), "deleted", later, remote_customer(&cus, "Real", &address));
    stack.deliver(&forged).await;
    assert_eq!(stack.handled(forged["id"].as_str().unwrap()).await.status, "applied");
    assert_eq!(stack.get(&format!("/customers/{id}")).await.0, 404);

    // Act: a dry run tells it; a run restores it; Stripe is never touched.
    let dry = reconcile(&stack, true).await;
    assert_eq!((dry.restored, dry.remote), (1, Changes::default()), "{dry:?}");
    assert_eq!(stack.get(&format!("/customers/{id}")).await.0, 404, "a dry run changes nothing");
    let done = reconcile(&stack, false).await;
    assert_eq!((done.restored, done.remote), (1, Changes::default()), "{done:?}");

    // Assert: the same customer is back, Stripe still holds it, and a
    // second run finds nothing to do.
    let (status, restored) = stack.get(&format!("/customers/{id}")).await;
    assert_eq!((status, &restored["name"], &restored["sync"]["stripe"]["external_id"]), (200, &json!("Real"), &json!(cus)), "{restored}");
    assert_ne!(stack.stripe.customer(&cus).await["deleted"], json!(true));
    let again = reconcile(&stack, false).await;
    assert_eq!((again.restored, again.remote, again.catalog), (0, Changes::default(), Changes::default()), "{again:?}");
    stack.cleanup().await;
}
