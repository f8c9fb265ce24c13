//! Reconcile runs over the API: the API records a request, and webhook-service
//! (tested there) claims and runs it. Runs are in the database, so every
//! instance sees them; one is requested or runs at a time across all of
//! them; a run whose process stopped, or a request nobody claimed, does not
//! block the next.

use serde_json::{json, Value};
use shared_models::reconcile::Summary;
use uuid::Uuid;

use crate::support::{assert_error, Api};

/// Asks for a run over the API; returns it.
async fn request(api: &Api, body: Value) -> Value {
    let response = api.post("/sync/reconcile", &body).await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let run: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/sync/reconcile/{}", run["id"].as_str().unwrap()));
    run
}

/// A run of another process in `status`; `heartbeat` is how long ago it last said so.
async fn recorded_elsewhere(api: &Api, status: &str, heartbeat: &str) -> Uuid {
    let id = Uuid::now_v7();
    let summary = serde_json::to_string(&Summary::default()).unwrap();
    let started_by = if status == "requested" { "api" } else { "command" };
    api.db
        .execute(&format!(
            "INSERT INTO reconcile_runs (id, started_by, dry_run, status, started_at, heartbeat_at, summary) \
             VALUES ('{id}', '{started_by}', false, '{status}', now() - interval '{heartbeat}', now() - interval '{heartbeat}', '{summary}')"
        ))
        .await;
    id
}

#[tokio::test]
async fn a_start_is_recorded_as_a_request_that_every_instance_sees() {
    // The API runs nothing itself: it has no Stripe key to run with.
    let api = Api::start().await;

    let run = request(&api, json!({"dry_run": true})).await;

    assert_eq!((&run["status"], &run["dry_run"], &run["started_by"]), (&json!("requested"), &json!(true), &json!("api")), "{run}");
    assert_eq!(run["summary"]["phase"], "starting", "{run}");
    assert!(run["finished_at"].is_null(), "{run}");
    let other = api.another_instance().await;
    let listed: Value = api.http.get(format!("{other}/sync/reconcile")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"], json!([run]), "another replica, or this one after a restart, sees it");
    assert_error(api.post("/sync/reconcile", &json!({})).await, 409, "already_running").await;
    api.cleanup().await;
}

#[tokio::test]
async fn a_start_is_refused_while_another_process_runs_one() {
    let api = Api::start().await;
    let other = api.another_instance().await;
    let running = recorded_elsewhere(&api, "running", "0 seconds").await;

    let here = api.post("/sync/reconcile", &json!({})).await;
    let there = api.http.post(format!("{other}/sync/reconcile")).json(&json!({})).send().await.unwrap();

    let error = assert_error(here, 409, "already_running").await;
    assert!(error["message"].as_str().unwrap().contains(&running.to_string()), "{error}");
    assert_error(there, 409, "already_running").await;
    assert_eq!(api.db.count("SELECT count(*) FROM reconcile_runs").await, 1, "nothing else was started");
    api.cleanup().await;
}

#[tokio::test]
async fn a_run_whose_process_stopped_is_marked_abandoned_and_does_not_block_the_next() {
    let api = Api::start().await;
    let abandoned = recorded_elsewhere(&api, "running", "5 minutes").await;

    let new = request(&api, json!({})).await;

    let old: Value = api.get(&format!("/sync/reconcile/{abandoned}")).await.json().await.unwrap();
    assert_eq!((&old["status"], &old["error"]), (&json!("failed"), &json!("abandoned: the process running it stopped")), "{old}");
    assert!(old["finished_at"].is_string(), "{old}");
    assert_eq!((&new["status"], &new["started_by"]), (&json!("requested"), &json!("api")), "{new}");
    let listed: Value = api.get("/sync/reconcile").await.json().await.unwrap();
    let ids: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [new["id"].as_str().unwrap(), abandoned.to_string().as_str()], "newest first");
    api.cleanup().await;
}

#[tokio::test]
async fn a_request_no_webhook_service_claims_fails_as_never_started_and_blocks_nothing() {
    let api = Api::start().await;
    let unclaimed = recorded_elsewhere(&api, "requested", "5 minutes").await;

    let old: Value = api.get(&format!("/sync/reconcile/{unclaimed}")).await.json().await.unwrap();
    let new = request(&api, json!({})).await;

    assert_eq!(old["status"], "failed", "{old}");
    assert!(old["error"].as_str().is_some_and(|e| e.contains("no webhook-service took the request")), "{old}");
    assert_eq!(new["status"], "requested", "{new}");
    api.cleanup().await;
}
