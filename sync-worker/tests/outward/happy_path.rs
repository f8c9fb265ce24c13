use serde_json::json;
use testkit::LocalStripe;

use crate::support::{email, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_and_delete_each_reach_stripe_with_the_right_values() {
    let stripe = LocalStripe::start().await;
    let mut stack = Stack::start(&stripe.url).await;
    stack.add_worker();
    let address = email("ada");

    let created = stack.create("Ada Lovelace", &address).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let link = stack.wait_synced(&id, 1).await;

    let external = link.external_id.clone().expect("external id recorded");
    let remote = stripe.customer(&external).await;
    assert_eq!(remote["name"], "Ada Lovelace");
    assert_eq!(remote["email"], address.as_str());
    assert_eq!(remote["metadata"]["catalog_sync_id"], id.as_str());
    let shown = stack.get(&id).await;
    assert_eq!(shown["sync"]["stripe"]["status"], "synced");
    assert_eq!(shown["sync"]["stripe"]["external_id"], external.as_str());

    let new_address = email("countess");
    stack.patch(&id, json!({"name": "Countess of Lovelace", "email": new_address})).await;
    stack.wait_synced(&id, 2).await;
    let remote = stripe.customer(&external).await;
    assert_eq!(remote["name"], "Countess of Lovelace");
    assert_eq!(remote["email"], new_address.as_str());

    stack.delete(&id).await;
    let link = stack.wait_synced(&id, 3).await;
    assert_eq!(link.external_id.as_deref(), Some(external.as_str()));
    let remote = stripe.customer(&external).await;
    assert!(remote.get("error").is_some() || remote["deleted"] == true, "Stripe customer deleted: {remote}");
    assert!(stripe.customers_by_email(&new_address).await.is_empty());
    assert_eq!(stripe.all_customers().await.len(), 0, "exactly the one customer was made, and deleted");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_and_twenty_rapid_edits_leave_stripe_on_the_last_edit() {
    let stripe = LocalStripe::start().await;
    let mut stack = Stack::start(&stripe.url).await;
    for _ in 0..3 {
        stack.add_worker();
    }
    let address = email("rapid");
    let id = stack.create("Edit start", &address).await["id"].as_str().unwrap().to_owned();

    for i in 0..20 {
        stack.patch(&id, json!({"name": format!("Edit {i}")})).await;
    }
    let final_address = email("final");
    let last = stack.patch(&id, json!({"email": final_address})).await;
    let link = stack.wait_synced(&id, last["version"].as_i64().unwrap()).await;

    let remote = stripe.customer(link.external_id.as_deref().unwrap()).await;
    assert_eq!(remote["name"], "Edit 19");
    assert_eq!(remote["email"], final_address.as_str());
    assert_eq!(stripe.all_customers().await.len(), 1, "one Stripe customer, never two");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &stack.dead_queue()).await, 0);
    stack.cleanup().await;
}
