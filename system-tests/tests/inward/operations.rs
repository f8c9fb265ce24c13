//! The operations endpoints of api-service against the whole stack: dead
//! letters listed and replayed, reconcile runs started and followed.

use serde_json::{json, Value};
use testkit::TcpProxy;

use crate::support::{email, Inward, WAIT};

impl Inward {
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self.http.post(format!("{}{path}", self.api)).json(&body).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn a_dead_lettered_change_is_listed_and_synced_by_its_replay() {
    // Arrange: the worker reaches Stripe through a proxy that is cut, so the
    // change fails every attempt and is dead-lettered.
    let mut stack = Inward::start("webhook", |_| {}).await;
    let stripe = TcpProxy::start(stack.stripe.url.trim_start_matches("http://").parse().unwrap()).await;
    stack.settings.stripe.api_base = stripe.http_url();
    stack.start_worker();
    stripe.cut();
    let address = email("dead");
    let id = stack.create_local("Dead Letter", &address).await;
    testkit::wait_for("the change to fail for good", WAIT, || async {
        let (_, customer) = stack.get(&format!("/customers/{id}")).await;
        (customer["sync"]["stripe"]["status"] == "failed").then_some(())
    })
    .await;

    // Act 1: list it.
    let (status, listed) = stack.get("/sync/dead-letters").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["total"], 1, "{listed}");
    let letter = &listed["data"][0];
    assert_eq!(letter["change"]["entity_id"], id.as_str());
    assert_eq!(letter["attempts"], stack.settings.sync.retry_max_attempts);
    assert!(letter["error"].as_str().is_some_and(|e| !e.is_empty()), "{letter}");
    let (_, status_view) = stack.get("/sync/status").await;
    assert_eq!(status_view["integrations"]["stripe"]["queues"]["customer"]["dead"], 1, "{status_view}");
    assert_eq!(stack.get("/sync/dead-letters").await.1["total"], 1, "listing leaves the letter in place");

    // Act 2: the cause is fixed; replay it (an unknown id is a 404 first).
    stripe.restore();
    let (status, body) = stack.post("/sync/dead-letters/replay", json!({"message_id": uuid::Uuid::now_v7()})).await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")), "{body}");
    let (status, replayed) = stack.post("/sync/dead-letters/replay", json!({"message_id": letter["message_id"]})).await;
    assert_eq!((status, &replayed["replayed"]), (200, &json!(1)), "{replayed}");

    // Assert: synced once, and the dead-letter queue is empty.
    stack.wait_synced(&id, 1).await;
    assert_eq!(stack.stripe.customers_by_email(&address).await.len(), 1);
    assert_eq!(stack.get("/sync/dead-letters").await.1["total"], 0);
    stack.cleanup().await;
}

async fn finished_run(stack: &Inward, location: &str) -> Value {
    testkit::wait_for("the reconcile to finish", WAIT, || async {
        let (_, run) = stack.get(location).await;
        (run["status"] == "finished" || run["status"] == "failed").then_some(run)
    })
    .await
}

#[tokio::test]
async fn reconcile_runs_are_started_and_followed_over_the_api() {
    // Arrange: a customer made in Stripe whose webhook went nowhere, while
    // webhook-service runs (it claims the runs asked for over the API).
    let stack = Inward::start("webhook", |_| {}).await;
    stack.stripe.register_webhook("catalog-sync", "http://127.0.0.1:9/webhooks/stripe", crate::support::SECRET).await;
    let address = email("missed");
    stack.stripe.create_customer(&[("name", "Missed"), ("email", &address)]).await;

    // A malformed body starts nothing (it is never taken for "no body").
    let response = stack
        .http
        .post(format!("{}/sync/reconcile", stack.api))
        .header("Content-Type", "application/json")
        .body("{\"dry_run\": tru")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(stack.get("/sync/reconcile").await.1["data"], json!([]));

    // Act: a dry run, then a real one.
    let response = stack.http.post(format!("{}/sync/reconcile", stack.api)).json(&json!({"dry_run": true})).send().await.unwrap();
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let dry = finished_run(&stack, &location).await;
    assert_eq!(
        (&dry["status"], &dry["dry_run"], &dry["summary"]["catalog"]["created"]),
        (&json!("finished"), &json!(true), &json!(1)),
        "{dry}"
    );
    assert!(stack.local_by_email(&address).await.is_empty(), "a dry run changes nothing");

    let (status, run) = stack.post("/sync/reconcile", json!({})).await;
    assert_eq!(status, 202, "{run}");
    let done = finished_run(&stack, &format!("/sync/reconcile/{}", run["id"].as_str().unwrap())).await;

    // Assert
    assert_eq!(
        (&done["status"], &done["summary"]["catalog"]["created"], &done["summary"]["phase"], &done["started_by"]),
        (&json!("finished"), &json!(1), &json!("done"), &json!("api")),
        "{done}"
    );
    assert_eq!(stack.local_by_email(&address).await.len(), 1);
    assert_eq!(stack.get("/sync/reconcile").await.1["data"].as_array().unwrap().len(), 2);
    assert_eq!(stack.get(&format!("/sync/reconcile/{}", uuid::Uuid::now_v7())).await.0, 404);
    stack.cleanup().await;
}

#[tokio::test]
async fn a_run_requested_over_the_api_that_cannot_reach_stripe_ends_failed_with_its_error() {
    // webhook-service claims the request; Stripe is a closed port.
    let stack = Inward::start("webhook", |s| s.stripe.api_base = "http://127.0.0.1:9".into()).await;

    let (status, run) = stack.post("/sync/reconcile", json!({"dry_run": true})).await;
    assert_eq!((status, &run["status"]), (202, &json!("requested")), "{run}");
    let run = finished_run(&stack, &format!("/sync/reconcile/{}", run["id"].as_str().unwrap())).await;

    assert_eq!((&run["status"], &run["dry_run"], &run["started_by"]), (&json!("failed"), &json!(true), &json!("api")), "{run}");
    assert!(run["error"].as_str().is_some_and(|e| e.starts_with("Stripe call failed")), "{run}");
    assert!(run["finished_at"].is_string(), "{run}");
    assert_eq!(run["summary"]["phase"], "stripe_list", "where it stopped: {run}");
    stack.cleanup().await;
}
