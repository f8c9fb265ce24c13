//! Reconcile repairs what the live sync missed while a service was down,
//! and a dry run only reports it; `webhook-service reconcile` runs it as a
//! command, recorded like the API's runs.

use serde_json::{json, Value};
use webhook_service::reconcile::{Changes, Summary};

use crate::support::{email, Inward, WAIT};

async fn reconcile(stack: &Inward, dry_run: bool) -> Summary {
    wiring::reconciler(&stack.settings).unwrap().run(dry_run, &()).await.unwrap()
}

async fn wait_published(stack: &Inward) {
    testkit::wait_for("the outbox to be relayed", WAIT, || async {
        (stack.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await == 0).then_some(())
    })
    .await;
}

/// What a dry run must leave alone: the catalog, the outbox, Stripe.
async fn snapshot(stack: &Inward) -> (i64, i64, i64, Vec<Value>) {
    let customers = stack.db.count("SELECT count(*) FROM customers WHERE deleted_at IS NULL").await;
    let versions = stack.db.count("SELECT coalesce(sum(version), 0)::bigint FROM customers").await;
    let outbox = stack.db.count("SELECT count(*) FROM outbox").await;
    (customers, versions, outbox, stack.stripe.all_customers().await)
}

#[tokio::test]
async fn reconcile_repairs_what_was_missed_while_services_were_down() {
    // Arrange: B made in Stripe and D made here, both synced live.
    let mut stack = Inward::start("webhook", |_| {}).await;
    stack.start_worker();
    let (a_email, b_email, c_email, d_email) = (email("a"), email("b"), email("c"), email("d"));
    let b = stack.stripe.create_customer(&[("name", "Bea"), ("email", &b_email)]).await;
    let b_local = testkit::wait_for("B to arrive", WAIT, || async { stack.local_by_email(&b_email).await.pop() }).await;
    let d = stack.create_local("Dan", &d_email).await;
    stack.wait_synced(&d, 1).await;

    // While webhook-service and the worker are down: A is made and B deleted
    // in Stripe; C is made and D deleted here, and their messages are lost.
    stack.stop_webhook_service().await;
    stack.stop_worker().await;
    let a = stack.stripe.create_customer(&[("name", "Ann"), ("email", &a_email)]).await;
    stack.stripe.delete_customer(b["id"].as_str().unwrap()).await;
    let c = stack.create_local("Cid", &c_email).await;
    let response = stack.http.delete(format!("{}/customers/{d}", stack.api)).send().await.unwrap();
    assert_eq!(response.status(), 204);
    wait_published(&stack).await;
    let queue = stack.broker.topology(&stack.settings).work_queue("stripe", "customer");
    assert_eq!(testkit::purge_queue(&stack.broker.url, &queue).await, 2, "the messages of C and D are lost");

    // Act 1: a dry run reports every repair and changes nothing.
    let before = snapshot(&stack).await;
    let dry = reconcile(&stack, true).await;
    assert_eq!(snapshot(&stack).await, before, "a dry run changes nothing");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &queue).await, 0);
    assert!(dry.dry_run);
    // B: the emulator answers its retrieve with a 404, where Stripe says
    // `deleted: true` (tests/deletions reads that): no word that it was
    // deleted, so it is kept and shown, never deleted on inference.
    assert_eq!(dry.catalog, Changes { created: 1, updated: 0, deleted: 0 }, "{dry:?}");
    assert_eq!(dry.remote, Changes { created: 1, updated: 0, deleted: 1 }, "{dry:?}");
    assert_eq!((dry.checked.remote, dry.checked.local, dry.conflicts, dry.linked, dry.missing), (3, 3, 0, 0, 1), "{dry:?}");
    assert_eq!(stack.get("/sync/conflicts").await.1["data"], json!([]), "a dry run records nothing");

    // Act 2: the real run makes the same decisions, then the worker writes.
    let done = reconcile(&stack, false).await;
    assert_eq!((done.catalog, done.remote), (dry.catalog, dry.remote), "{done:?}");
    stack.start_worker();

    // Assert: A is here and linked, B is kept with its problem shown, C
    // reached Stripe once, D is gone there.
    let a_local = stack.local_by_email(&a_email).await.pop().expect("A created from Stripe");
    assert_eq!(a_local["sync"]["stripe"]["external_id"], a["id"]);
    let (status, b_kept) = stack.get(&format!("/customers/{}", b_local["id"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert!(b_kept["sync"]["stripe"]["conflict"].as_str().is_some_and(|p| p.contains("does not say it was deleted")), "{b_kept}");
    stack.wait_synced(&c, 1).await;
    assert_eq!(stack.stripe.customers_by_email(&c_email).await.len(), 1);
    testkit::wait_for("D deleted in Stripe", WAIT, || async { stack.stripe.customers_by_email(&d_email).await.is_empty().then_some(()) })
        .await;

    // Once repaired, a reconcile finds nothing left to do.
    let again = reconcile(&stack, false).await;
    assert_eq!((again.catalog, again.remote, again.linked, again.missing), (Changes::default(), Changes::default(), 0, 1), "{again:?}");
    stack.cleanup().await;
}

#[tokio::test]
async fn reconcile_imports_an_existing_stripe_account_without_doubles() {
    // Arrange: Stripe has customers before catalog-sync ever ran; one of
    // them is also in the catalog (same email), not yet synced.
    let mut stack = Inward::start("webhook", |_| {}).await;
    stack.stop_webhook_service().await;
    let shared = email("shared");
    let only_remote = email("remote");
    stack.stripe.create_customer(&[("name", "Old Name"), ("email", &shared)]).await;
    stack.stripe.create_customer(&[("name", "Only In Stripe"), ("email", &only_remote)]).await;
    stack.stripe.create_customer(&[("name", "No Email")]).await;
    let local = stack.create_local("New Name", &shared).await;

    // Act
    let summary = reconcile(&stack, false).await;
    stack.start_worker();

    // Assert: one created, one linked (local values win), one conflict; no double in Stripe.
    assert_eq!((summary.catalog.created, summary.linked, summary.conflicts), (1, 1, 1), "{summary:?}");
    assert_eq!(stack.local_by_email(&only_remote).await.len(), 1);
    stack.wait_synced(&local, 1).await;
    let remote = stack.stripe.customers_by_email(&shared).await;
    assert_eq!(remote.len(), 1, "linked, not doubled: {remote:?}");
    assert_eq!(remote[0]["name"], "New Name");
    let (_, conflicts) = stack.get("/sync/conflicts").await;
    assert_eq!(conflicts["data"].as_array().unwrap().len(), 1);
    stack.cleanup().await;
}

#[tokio::test]
async fn reconcile_stops_with_a_clear_error_when_stripe_cannot_be_reached() {
    let mut stack = Inward::start("webhook", |_| {}).await;
    let local = stack.create_local("Kept", &email("kept")).await;
    stack.settings.stripe.api_base = "http://127.0.0.1:9".into();

    let error = wiring::reconciler(&stack.settings).unwrap().run(false, &()).await.unwrap_err();

    assert!(error.to_string().starts_with("Stripe call failed"), "{error}");
    assert_eq!(stack.get(&format!("/customers/{local}")).await.0, 200, "nothing changed");
    stack.cleanup().await;
}

fn binary() -> String {
    testkit::workspace_binary("webhook-service")
}

/// Runs `webhook-service <args>` with the stack's settings; its stdout as JSON.
async fn command(stack: &Inward, args: &[&str]) -> Value {
    testkit::stdout_json(&testkit::run_binary(&binary(), args, &stack.settings).await)
}

#[tokio::test]
async fn the_reconcile_command_prints_its_summary_and_the_api_lists_its_runs() {
    // Arrange
    let (stack, address) = Inward::with_missed_customer("command").await;

    // Act
    let dry = command(&stack, &["reconcile", "--dry-run"]).await;
    let done = command(&stack, &["reconcile"]).await;

    // Assert
    let counts = |s: &Value| (s["dry_run"].clone(), s["phase"].clone(), s["checked"]["stripe"].clone(), s["catalog"]["created"].clone());
    assert_eq!(counts(&dry), (json!(true), json!("done"), json!(1), json!(1)), "{dry}");
    assert_eq!(counts(&done), (json!(false), json!("done"), json!(1), json!(1)), "{done}");
    assert_eq!(stack.local_by_email(&address).await.len(), 1);
    let (_, runs) = stack.get("/sync/reconcile").await;
    let runs = runs["data"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{runs:?}");
    for (run, printed) in runs.iter().zip([&done, &dry]) {
        assert_eq!((&run["started_by"], &run["status"], &run["summary"]), (&json!("command"), &json!("finished"), printed), "{run}");
    }
    stack.cleanup().await;
}

#[tokio::test]
async fn the_reconcile_command_refuses_to_start_while_another_run_runs() {
    // Arrange: a run of api-service, heartbeating.
    let db = testkit::TestDb::create().await;
    let settings = testkit::settings(&db.url, &testkit::amqp_url(), "unused", "http://127.0.0.1:9");
    let running = uuid::Uuid::now_v7();
    let summary = serde_json::to_string(&Summary::default()).unwrap();
    db.execute(&format!("INSERT INTO reconcile_runs (id, started_by, dry_run, summary) VALUES ('{running}', 'api', false, '{summary}')"))
        .await;

    // Act
    let output = testkit::run_binary(&binary(), &["reconcile"], &settings).await;

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains(&format!("another reconcile is running ({running})")), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(db.count("SELECT count(*) FROM reconcile_runs").await, 1, "nothing else was started");
    db.cleanup().await;
}

#[tokio::test]
async fn the_reconcile_command_with_a_bad_argument_exits_non_zero_with_the_usage_line() {
    let bad: &[&[&str]] = &[&["reconcile", "--wet"], &["reconcil"], &["reconcile", "--dry-run", "now"]];
    testkit::assert_refused_with_usage(&binary(), bad, "usage: webhook-service [reconcile [--dry-run]]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_compares_values_and_versions_and_rewrites_what_stripe_lost() {
    // Arrange: K is synced at version 2 ("Two"); then an old write of ours
    // (version 1, "One") lands in Stripe after it, as a late request did
    // before writes were journaled. Its event changes nothing: it is older.
    let mut stack = Inward::start("webhook", |_| {}).await;
    stack.start_worker();
    let k_email = email("k");
    let k = stack.create_local("One", &k_email).await;
    stack.rename_local(&k, "Two").await;
    stack.wait_synced(&k, 2).await;
    let (_, shown) = stack.get(&format!("/customers/{k}")).await;
    let k_stripe = shown["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    stack.stripe.update_customer(&k_stripe, &[("name", "One"), ("metadata[catalog_sync_version]", "1")]).await;
    // O was deleted here before any create of it was recorded; then a
    // create of ours carrying its id lands: a live orphan in Stripe.
    stack.stop_worker().await;
    let o_email = email("o");
    let o = stack.create_local("Orphan", &o_email).await;
    let response = stack.http.delete(format!("{}/customers/{o}", stack.api)).send().await.unwrap();
    assert_eq!(response.status(), 204);
    stack.start_worker();
    let settled = format!("SELECT count(*) FROM sync_links WHERE entity_id = '{o}' AND synced_version = 2");
    testkit::wait_for("O's delete settled", WAIT, || async { (stack.db.count(&settled).await == 1).then_some(()) }).await;
    let orphan = stack.stripe.create_customer(&[("name", "Orphan"), ("email", &o_email), ("metadata[catalog_sync_id]", &o)]).await;
    for (stripe_id, kind) in [(k_stripe.as_str(), "customer.updated"), (orphan["id"].as_str().unwrap(), "customer.created")] {
        let handled = format!(
            "SELECT count(*) FROM inbound_events WHERE status <> 'pending' AND event_type = '{kind}' \
             AND payload->'data'->'object'->>'id' = '{stripe_id}' \
             AND payload->'data'->'object'->'metadata'->>'catalog_sync_version' IS DISTINCT FROM '2'"
        );
        testkit::wait_for("the late writes' events handled", WAIT, || async { (stack.db.count(&handled).await > 0).then_some(()) }).await;
    }
    assert_eq!(stack.stripe.customer(&k_stripe).await["name"], "One", "the live sync cannot see it");

    // Act: a dry run reports both; the real run queues both.
    let dry = reconcile(&stack, true).await;
    assert_eq!(dry.remote, Changes { created: 0, updated: 1, deleted: 1 }, "{dry:?}");
    let done = reconcile(&stack, false).await;
    assert_eq!(done.remote, dry.remote, "{done:?}");

    // Assert: Stripe holds the catalog again, and the orphan is gone.
    testkit::wait_for("K rewritten in Stripe", WAIT, || async {
        let remote = stack.stripe.customer(&k_stripe).await;
        (remote["name"] == "Two" && remote["metadata"]["catalog_sync_version"] == "2").then_some(())
    })
    .await;
    testkit::wait_for("the orphan deleted", WAIT, || async { stack.stripe.customers_by_email(&o_email).await.is_empty().then_some(()) })
        .await;
    stack.wait_synced(&k, 2).await;
    let (_, shown) = stack.get(&format!("/customers/{k}")).await;
    assert_eq!((shown["name"].as_str(), shown["version"].as_i64()), (Some("Two"), Some(2)), "the catalog kept its version");
    let again = reconcile(&stack, false).await;
    assert_eq!((again.catalog, again.remote), (Changes::default(), Changes::default()), "{again:?}");
    stack.cleanup().await;
}
