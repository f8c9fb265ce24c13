//! A customer deleted in Stripe is deleted here once Stripe says so (a
//! retrieve answering `deleted: true`), however the sync learns of it: an
//! edit of ours meeting the delete, or a reconcile. The outward side never
//! deletes by itself: it asks the inward side to read the customer back.

use serde_json::json;

use crate::support::{Billing, Pair, WAIT};

async fn gone_here(stack: &Billing, id: &str) {
    testkit::wait_for(&format!("customer {id} deleted here"), WAIT, || async {
        let status = stack.http.get(format!("{}/customers/{id}", stack.api)).send().await.unwrap().status();
        (status == 404).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_racing_a_delete_made_in_stripe_deletes_the_customer_here_once_stripe_says_so() {
    // Webhook mode, and no webhook is delivered: only the edit meets the delete.
    let mut stack = Billing::start("webhook", |_| {}).await;
    stack.start_worker(Pair::Customers);
    let id = stack.customer("Doomed").await;
    let cus = stack.customer_in_stripe(&id).await;

    // Deleted in the dashboard; an edit made here meanwhile meets it.
    let (status, _) = stack.stripe.dashboard("DELETE", &format!("/v1/customers/{cus}"), &[]);
    assert_eq!(status, 200);
    let response = stack.http.patch(format!("{}/customers/{id}", stack.api)).json(&json!({"name": "Edit of a deleted customer"})).send();
    assert_eq!(response.await.unwrap().status(), 200);

    // The update's 404 is read back (`deleted: true`), and the delete taken in.
    gone_here(&stack, &id).await;
    let dead = stack.broker.topology(&stack.settings).dead_queue("stripe", "customer");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &dead).await, 0, "nothing to dead-letter");
    let (_, read_back) = stack.stripe.dashboard("GET", &format!("/v1/customers/{cus}"), &[]);
    assert_eq!(read_back["deleted"], json!(true));
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconcile_takes_in_a_delete_stripe_confirms() {
    let mut stack = Billing::start("webhook", |_| {}).await;
    stack.start_worker(Pair::Customers);
    let (kept, deleted) = (stack.customer("Kept").await, stack.customer("Deleted").await);
    stack.customer_in_stripe(&kept).await;
    let cus = stack.customer_in_stripe(&deleted).await;
    stack.stripe.dashboard("DELETE", &format!("/v1/customers/{cus}"), &[]);

    let summary = wiring::reconciler(&stack.settings).unwrap().run(false, &()).await.unwrap();

    assert_eq!((summary.catalog.deleted, summary.missing), (1, 0), "{summary:?}");
    gone_here(&stack, &deleted).await;
    assert_eq!(stack.get(&format!("/customers/{kept}")).await["name"], json!("Kept"));
    stack.cleanup().await;
}
