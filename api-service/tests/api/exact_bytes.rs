//! The response bodies, byte for byte: what clients may have come to
//! depend on beyond the OpenAPI document (key order included).

use serde_json::json;

use crate::support::Api;

async fn text(api: &Api, path: &str) -> String {
    api.get(path).await.text().await.unwrap()
}

/// The typed bodies behind the document write what the `json!` they
/// replaced wrote, byte for byte (`json!` objects sort their keys); a
/// reconcile run read from the database writes what it wrote from memory.
#[tokio::test]
async fn the_typed_bodies_keep_their_exact_bytes() {
    let api = Api::start().await;
    testkit::wait_for("api-service to be ready", std::time::Duration::from_secs(15), || async {
        (api.get("/ready").await.status() == 200).then_some(())
    })
    .await;
    api.db
        .execute(
            "INSERT INTO sync_conflicts (integration, entity_type, external_id, entity_id, problem, remote, event_id, event_created, detected_at) \
             VALUES ('stripe', 'customer', 'cus_1', NULL, 'no email', '{\"id\": \"cus_1\", \"email\": null}', 'evt_1', 1795000000, \
                     '2026-11-21 08:14:44.259144+00')",
        )
        .await;
    api.db
        .execute(
            "INSERT INTO inbound_events (integration, event_id, event_type, event_created, payload, source, status, received_at, processed_at) \
             VALUES ('stripe', 'evt_1', 'customer.updated', 1795000000, '{}', 'webhook', 'applied', '2026-11-21 08:15:01.918+00', '2026-11-21 08:15:02.001+00'), \
                    ('stripe', 'evt_2', 'customer.updated', 1795000001, '{}', 'webhook', 'pending', '2026-11-21 08:15:03+00', NULL)",
        )
        .await;
    api.db
        .execute(
            "INSERT INTO poll_cursors (name, created_from, last_success_at, consecutive_failures) \
             VALUES ('stripe.events', 1795000000, '2026-11-21 08:15:01.918+00', 0)",
        )
        .await;

    api.db
        .execute(
            "INSERT INTO reconcile_runs (id, started_by, dry_run, status, started_at, heartbeat_at, finished_at, summary) \
             VALUES ('01a1fd2c-0a23-77d9-beaf-fcacee796d7e', 'command', true, 'finished', '2026-11-21 08:14:44.259144+00', \
                     '2026-11-21 08:14:45+00', '2026-11-21 08:14:45+00', '{\"dry_run\": true, \"phase\": \"done\", \
                     \"checked\": {\"stripe\": 2, \"local\": 1}, \"catalog\": {\"created\": 1, \"updated\": 0, \"deleted\": 0}, \
                     \"linked\": 0, \"stripe\": {\"created\": 0, \"updated\": 0, \"deleted\": 0}, \"conflicts\": 0, \"unchanged\": 1}')",
        )
        .await;

    assert_eq!(text(&api, "/health").await, r#"{"status":"ok"}"#);
    assert_eq!(text(&api, "/ready").await, r#"{"checks":{"broker":"ok","database":"ok"},"status":"ready"}"#);
    assert_eq!(text(&api, "/nowhere").await, r#"{"error":{"code":"not_found","message":"no route for GET /nowhere"}}"#);
    let missing = api.http.post(format!("{}/customers", api.base)).json(&json!({"name": "A"})).send().await.unwrap();
    assert_eq!(missing.text().await.unwrap(), r#"{"error":{"code":"validation_failed","field":"email","message":"email is required"}}"#);
    assert_eq!(
        text(&api, "/sync/conflicts").await,
        concat!(
            r#"{"data":[{"detected_at":"2026-11-21T08:14:44.259144Z","entity_id":null,"entity_type":"customer","event_created":1795000000,"#,
            r#""event_id":"evt_1","external_id":"cus_1","integration":"stripe","problem":"no email","remote":{"email":null,"id":"cus_1"}}]}"#
        )
    );
    assert_eq!(
        text(&api, "/sync/status").await,
        concat!(
            r#"{"broker":{"connected":true},"integrations":{"stripe":{"conflicts":1,"held_deletions":0,"#,
            r#""inbox":{"oldest_pending_received_at":"2026-11-21T08:15:03Z","oldest_retrying_received_at":null,"pending":1,"retrying":0},"#,
            r#""inward":{"applied":1,"last_handled_at":"2026-11-21T08:15:02.001Z","last_received_at":"2026-11-21T08:15:03Z","pending":1},"#,
            r#""outward":{"customer":{"failed":0,"pending":0,"synced":0},"invoice":{"failed":0,"pending":0,"synced":0}},"#,
            r#""poller":{"consecutive_failures":0,"created_from":1795000000,"failing":false,"last_error":null,"last_failure_at":null,"#,
            r#""last_success_at":"2026-11-21T08:15:01.918Z","missed":null,"missed_at":null},"#,
            r#""queues":{"customer":{"dead":0,"retrying":0,"work":0},"invoice":{"dead":0,"retrying":0,"work":0}},"#,
            r#""writes_in_doubt":{"count":0,"oldest_since":null}}},"#,
            r#""outbox":{"oldest_unpublished_at":null,"unpublished":0,"unroutable":0}}"#
        )
    );
    assert_eq!(
        text(&api, "/sync/reconcile").await,
        concat!(
            r#"{"data":[{"id":"01a1fd2c-0a23-77d9-beaf-fcacee796d7e","status":"finished","dry_run":true,"#,
            r#""started_at":"2026-11-21T08:14:44.259144Z","finished_at":"2026-11-21T08:14:45Z","#,
            r#""summary":{"dry_run":true,"phase":"done","checked":{"stripe":2,"local":1},"catalog":{"created":1,"updated":0,"deleted":0},"#,
            r#""linked":0,"stripe":{"created":0,"updated":0,"deleted":0},"restored":0,"conflicts":0,"missing":0,"held":0,"unchanged":1},"error":null,"started_by":"command"}]}"#
        )
    );
    api.cleanup().await;
}
