//! Reconcile runs are recorded in the database: every instance sees them,
//! one runs at a time across all of them, and a run whose process stopped
//! does not block the next. Stripe is a closed port here, so each run
//! started fails at its first Stripe call.

use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;
use webhook_service::reconcile::Summary;

use crate::support::{assert_error, Api};

const WAIT: Duration = Duration::from_secs(30);

/// Waits until the run at `base` is no longer running; returns it.
async fn ended(api: &Api, base: &str, id: &str) -> Value {
    testkit::wait_for("the reconcile to end", WAIT, || async {
        let run: Value = api.http.get(format!("{base}/sync/reconcile/{id}")).send().await.unwrap().json().await.unwrap();
        (run["status"] != "running").then_some(run)
    })
    .await
}

/// Starts a run over the API; returns its id.
async fn start(api: &Api) -> String {
    let response = api.post("/sync/reconcile", &json!({})).await;
    assert_eq!(response.status(), 202);
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// A run another process is running; `heartbeat` is how long ago it last said so.
async fn running_elsewhere(api: &Api, heartbeat: &str) -> Uuid {
    let id = Uuid::now_v7();
    let summary = serde_json::to_string(&Summary::default()).unwrap();
    api.db
        .execute(&format!(
            "INSERT INTO reconcile_runs (id, started_by, dry_run, status, started_at, heartbeat_at, summary) \
             VALUES ('{id}', 'command', false, 'running', now() - interval '{heartbeat}', now() - interval '{heartbeat}', '{summary}')"
        ))
        .await;
    id
}

#[tokio::test]
async fn a_run_that_cannot_reach_stripe_ends_failed_with_its_error() {
    let api = Api::start().await;

    let response = api.post("/sync/reconcile", &json!({"dry_run": true})).await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = location.trim_start_matches("/sync/reconcile/").to_owned();
    let run = ended(&api, &api.base, &id).await;

    assert_eq!((&run["status"], &run["dry_run"], &run["started_by"]), (&json!("failed"), &json!(true), &json!("api")), "{run}");
    assert!(run["error"].as_str().is_some_and(|e| e.starts_with("Stripe call failed")), "{run}");
    assert!(run["finished_at"].is_string(), "{run}");
    assert_eq!(run["summary"]["phase"], "stripe_list", "where it stopped: {run}");
    api.cleanup().await;
}

#[tokio::test]
async fn runs_are_seen_by_every_instance_and_outlive_a_restart() {
    let api = Api::start().await;
    let id = start(&api).await;
    let run = ended(&api, &api.base, &id).await;

    // A second instance on the same database: another replica, or this
    // one after a restart.
    let other = api.another_instance().await;
    let listed: Value = api.http.get(format!("{other}/sync/reconcile")).send().await.unwrap().json().await.unwrap();

    assert_eq!(listed["data"], json!([run]));
    assert_eq!(ended(&api, &other, &id).await, run);
    api.cleanup().await;
}

#[tokio::test]
async fn a_start_is_refused_while_another_process_runs_one() {
    let api = Api::start().await;
    let other = api.another_instance().await;
    let running = running_elsewhere(&api, "0 seconds").await;

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
    let abandoned = running_elsewhere(&api, "5 minutes").await;

    let id = start(&api).await;

    let old: Value = api.get(&format!("/sync/reconcile/{abandoned}")).await.json().await.unwrap();
    assert_eq!((&old["status"], &old["error"]), (&json!("failed"), &json!("abandoned: the process running it stopped")), "{old}");
    assert!(old["finished_at"].is_string(), "{old}");
    let new = ended(&api, &api.base, &id).await;
    assert_eq!(new["started_by"], "api", "{new}");
    let listed: Value = api.get("/sync/reconcile").await.json().await.unwrap();
    let ids: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str(), abandoned.to_string().as_str()], "newest first");
    api.cleanup().await;
}
