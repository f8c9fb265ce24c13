//! What must never stop the outward sync: a change no queue takes.

use testkit::LocalStripe;

use crate::support::{email, Stack, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_row_no_queue_takes_is_set_aside_and_blocks_nothing() {
    // Arrange: a change of a catalog no integration syncs (an order),
    // committed ahead of a customer's.
    let stripe = LocalStripe::start().await;
    let mut stack = Stack::start(&stripe.url).await;
    stack.add_worker();
    stack
        .db
        .execute(
            "INSERT INTO outbox (message_id, entity_type, entity_id, operation, entity_version, payload) \
             VALUES (gen_random_uuid(), 'order', gen_random_uuid(), 'created', 1, '{}')",
        )
        .await;

    // Act
    let address = email("behind");
    let id = stack.create("Behind The Invoice", &address).await["id"].as_str().unwrap().to_owned();

    // Assert: the customer syncs; the order's change is set aside and shown.
    stack.wait_synced(&id, 1).await;
    assert_eq!(stripe.customers_by_email(&address).await.len(), 1);
    testkit::wait_for("the unroutable row set aside", WAIT, || async {
        (stack.db.count("SELECT count(*) FROM outbox WHERE unroutable").await == 1).then_some(())
    })
    .await;
    assert_eq!(stack.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await, 0);
    let status: serde_json::Value = stack.http.get(format!("{}/sync/status", stack.api)).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["outbox"]["unroutable"], 1, "{status}");
    stack.cleanup().await;
}
