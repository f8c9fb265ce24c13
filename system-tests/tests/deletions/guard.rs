//! The mass-deletion guard: past its limit, deletes from one integration
//! are held (nothing changes, nothing is lost), shown in `/sync/status`,
//! `/sync/held-deletions` and `/metrics`, and released or discarded by an
//! operator. Deletes made through our API are never held.

use serde_json::{json, Value};

use crate::support::{Billing, Pair, WAIT};

async fn status_of(stack: &Billing, id: &str) -> u16 {
    stack.http.get(format!("{}/customers/{id}", stack.api)).send().await.unwrap().status().as_u16()
}

/// Waits until the customer is linked to a Stripe customer other than `old`
/// (made again there); its Stripe id.
async fn linked_again(stack: &Billing, id: &str, old: &str) -> String {
    testkit::wait_for(&format!("customer {id} made again in Stripe"), WAIT, || async {
        let link = stack.get(&format!("/customers/{id}")).await["sync"]["stripe"].clone();
        link["external_id"].as_str().filter(|cus| *cus != old && link["status"] == "synced").map(str::to_owned)
    })
    .await
}

async fn held(stack: &Billing) -> Vec<Value> {
    stack.get("/sync/held-deletions?integration=stripe").await["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_past_the_guards_limit_are_held_until_an_operator_decides() {
    // Poll mode: Stripe's events (the dashboard's deletes) come in by polling.
    let mut stack = Billing::start("poll", |s| {
        s.sync.deletion_guard_max = 2;
        s.sync.deletion_guard_percent = 0;
    })
    .await;
    stack.start_worker(Pair::Customers);
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(stack.customer(&format!("Bulk{n}")).await);
    }
    let mut stripe_ids = Vec::new();
    for id in &ids {
        stripe_ids.push(stack.customer_in_stripe(id).await);
    }
    // One deleted through our API: never held, and not counted.
    let own = stack.customer("Mine").await;
    stack.customer_in_stripe(&own).await;
    assert_eq!(stack.http.delete(format!("{}/customers/{own}", stack.api)).send().await.unwrap().status(), 204);

    // Act: all five deleted in Stripe's dashboard at once.
    for cus in &stripe_ids {
        stack.stripe.dashboard("DELETE", &format!("/v1/customers/{cus}"), &[]);
    }

    // Assert: two taken in, three held; nothing else changed.
    let waiting = testkit::wait_for("three deletes held", WAIT, || async {
        let held = held(&stack).await;
        (held.len() == 3).then_some(held)
    })
    .await;
    let mut deleted = 0;
    for id in &ids {
        deleted += u16::from(status_of(&stack, id).await == 404);
    }
    assert_eq!(deleted, 2, "two deletes taken in");
    assert_eq!(stack.get("/sync/status").await["integrations"]["stripe"]["held_deletions"], json!(3));
    let metrics = stack.http.get(format!("{}/metrics", stack.api)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"catalog_sync_held_deletions{integration="stripe"} 3"#), "{metrics}");
    for each in &waiting {
        assert_eq!(status_of(&stack, each["entity_id"].as_str().unwrap()).await, 200, "a held delete changed nothing");
    }

    // Released: read back from Stripe (still deleted), then taken in.
    let released = waiting[0]["entity_id"].as_str().unwrap().to_owned();
    let (status, _) = stack.post(&format!("/sync/held-deletions/{}/release", waiting[0]["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(status, 200);
    testkit::wait_for("the released delete taken in", WAIT, || async { (status_of(&stack, &released).await == 404).then_some(()) }).await;

    // Discarded: the customer stays, and is made again in Stripe.
    let kept = waiting[1]["entity_id"].as_str().unwrap().to_owned();
    let old = waiting[1]["external_id"].as_str().unwrap().to_owned();
    let (status, _) = stack.post(&format!("/sync/held-deletions/{}/discard", waiting[1]["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(status, 200);
    let again = linked_again(&stack, &kept, &old).await;
    let (_, remade) = stack.stripe.dashboard("GET", &format!("/v1/customers/{again}"), &[]);
    assert_eq!(remade["metadata"]["catalog_sync_id"], json!(kept));

    // The rest, all at once; a second decision on a decided one is a 404.
    let (status, all) = stack.post("/sync/held-deletions/release", &json!({"integration": "stripe"})).await;
    assert_eq!((status, &all["decided"]), (200, &json!(1)), "{all}");
    let last = waiting[2]["entity_id"].as_str().unwrap().to_owned();
    testkit::wait_for("the last delete taken in", WAIT, || async { (status_of(&stack, &last).await == 404).then_some(()) }).await;
    let (status, _) = stack.post(&format!("/sync/held-deletions/{}/release", waiting[0]["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(stack.get("/sync/status").await["integrations"]["stripe"]["held_deletions"], json!(0));
    assert_eq!(status_of(&stack, &kept).await, 200);
    stack.cleanup().await;
}
