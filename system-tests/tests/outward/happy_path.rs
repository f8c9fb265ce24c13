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

/// The worker's /metrics shows what it did (the registry is per process,
/// so the figures include the other tests of this binary: only "> 0" holds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_serves_its_metrics() {
    let stripe = LocalStripe::start().await;
    let mut stack = Stack::start(&stripe.url).await;
    stack.add_worker();
    let pool = shared_models::db::build_pool(&stack.settings.database.url, 2).unwrap();
    let auth = shared_models::auth::Authenticator::new(pool, true, stack.settings.http.api_bootstrap_key.as_ref());
    let metrics = sync_worker::MetricsServer::bind("127.0.0.1", 0, std::sync::Arc::new(auth), sync_worker::PairStates::default()).unwrap();
    let url = format!("http://127.0.0.1:{}", metrics.port());
    let handle = metrics.handle();
    tokio::spawn(metrics.run());

    let id = stack.create("Metered", &email("metered")).await["id"].as_str().unwrap().to_owned();
    stack.wait_synced(&id, 1).await;

    testkit::assert_counted(
        &url,
        &[
            r#"catalog_sync_messages_consumed_total{integration="stripe",outcome="synced"}"#,
            r#"catalog_sync_messages_published_total{kind="change"}"#,
            r#"catalog_sync_stripe_calls_total{method="POST",outcome="ok",path="/v1/customers"}"#,
            r#"catalog_sync_stripe_call_duration_seconds_count{method="POST",path="/v1/customers"}"#,
            r#"catalog_sync_sync_lag_seconds_count{direction="outward"}"#,
        ],
    )
    .await;
    assert_eq!(reqwest::get(format!("{url}/health")).await.unwrap().status(), 200);
    // /metrics is an operator's: no key, no figures.
    let refused = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.json::<serde_json::Value>().await.unwrap()["error"]["code"], "unauthorized");
    handle.stop(true).await;
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_and_twenty_rapid_edits_leave_stripe_on_the_last_edit() {
    // Through the double, which keeps Stripe's idempotency keys: localstripe
    // ignores them, so on a busy machine a create resent after a slow answer
    // made a second customer there, where Stripe replays the first answer.
    let stripe = LocalStripe::start().await;
    let double = testkit::StripeDouble::start(Some(stripe.url.clone())).expect("start the Stripe double");
    let mut stack = Stack::start(&double.url).await;
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
