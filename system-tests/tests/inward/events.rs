//! The apply rules, fed with crafted (validly signed) events: duplicates,
//! out-of-order deliveries, unhandled types, records that break a local rule.

use serde_json::json;

use crate::support::{customer_event, customer_id, email, event_id, remote_customer, Inward};

#[tokio::test]
async fn the_same_event_delivered_twice_is_applied_once() {
    let stack = Inward::start("webhook", |_| {}).await;
    let address = email("twice");
    let event = customer_event(&event_id(), "created", 1_800_000_000, remote_customer(&customer_id(), "Twice", &address));

    let first = stack.deliver(&event).await;
    assert_eq!(first.status(), 200);
    let handled = stack.handled(event["id"].as_str().unwrap()).await;
    assert_eq!(handled.status, "applied", "{:?}", handled.detail);
    let again = stack.deliver(&event).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["duplicate"], true);

    let local = stack.local_by_email(&address).await;
    assert_eq!(local.len(), 1);
    assert_eq!(local[0]["version"], 1);
    assert_eq!(local[0]["sync"]["stripe"]["status"], "synced");
    assert_eq!(stack.db.count("SELECT count(*) FROM customers").await, 1);
    assert_eq!(stack.db.count("SELECT count(*) FROM inbound_events").await, 1);
    let (_, status) = stack.get("/sync/status").await;
    assert_eq!(status["integrations"]["stripe"]["inward"]["applied"], 1, "{status}");
    assert!(status["integrations"]["stripe"]["inward"]["last_handled_at"].is_string(), "{status}");
    assert_eq!(status["integrations"]["stripe"]["outward"]["customer"]["synced"], 1, "{status}");
    stack.cleanup().await;
}

#[tokio::test]
async fn events_delivered_in_reverse_order_end_on_the_newest_state() {
    let stack = Inward::start("webhook", |_| {}).await;
    let cus = customer_id();
    let address = email("order");
    let t = 1_800_000_000;
    let events = [
        customer_event(&event_id(), "created", t, remote_customer(&cus, "First", &address)),
        customer_event(&event_id(), "updated", t + 1, remote_customer(&cus, "Second", &address)),
        customer_event(&event_id(), "updated", t + 2, remote_customer(&cus, "Third", &address)),
    ];
    for event in events.iter().rev() {
        assert_eq!(stack.deliver(event).await.status(), 200);
        stack.handled(event["id"].as_str().unwrap()).await;
    }
    let local = stack.local_by_email(&address).await;
    assert_eq!(local.len(), 1);
    assert_eq!(local[0]["name"], "Third");
    let older = stack.handled(events[1]["id"].as_str().unwrap()).await;
    assert_eq!(older.status, "skipped");
    assert!(older.detail.unwrap_or_default().contains("older than event"));

    // Deleted in Stripe; an older update delivered late never brings it back.
    let id = local[0]["id"].as_str().unwrap().to_owned();
    let deleted = customer_event(&event_id(), "deleted", t + 3, remote_customer(&cus, "Third", &address));
    stack.deliver(&deleted).await;
    assert_eq!(stack.handled(deleted["id"].as_str().unwrap()).await.status, "applied");
    let late = customer_event(&event_id(), "updated", t + 2, remote_customer(&cus, "Resurrected?", &address));
    stack.deliver(&late).await;
    stack.handled(late["id"].as_str().unwrap()).await;
    assert_eq!(stack.get(&format!("/customers/{id}")).await.0, 404);
    assert!(stack.local_by_email(&address).await.is_empty());
    stack.cleanup().await;
}

#[tokio::test]
async fn an_unhandled_event_type_is_acknowledged_and_changes_nothing() {
    let stack = Inward::start("webhook", |_| {}).await;
    let event = json!({
        "id": event_id(), "object": "event", "created": 1_800_000_000, "type": "charge.succeeded",
        "data": {"object": {"id": "ch_1", "object": "charge", "customer": "cus_x"}},
    });
    assert_eq!(stack.deliver(&event).await.status(), 200);
    let handled = stack.handled(event["id"].as_str().unwrap()).await;
    assert_eq!(handled.status, "ignored");
    assert_eq!(stack.db.count("SELECT count(*) FROM customers").await, 0);
    assert_eq!(stack.db.count("SELECT count(*) FROM outbox").await, 0);
    stack.cleanup().await;
}

#[tokio::test]
async fn a_stripe_customer_breaking_a_local_rule_is_kept_visible_and_blocks_nothing() {
    let stack = Inward::start("webhook", |_| {}).await;
    let t = 1_800_000_000;
    let no_email = customer_id();
    let bad = customer_event(&event_id(), "created", t, json!({"id": no_email, "object": "customer", "name": "Nomail", "email": null}));
    let taken = email("taken");
    let owner = customer_event(&event_id(), "created", t, remote_customer(&customer_id(), "Owner", &taken));
    let twin_id = customer_id();
    let twin = customer_event(&event_id(), "created", t + 1, remote_customer(&twin_id, "Twin", &taken.to_uppercase()));
    for event in [&bad, &owner, &twin] {
        assert_eq!(stack.deliver(event).await.status(), 200);
    }
    assert_eq!(stack.handled(bad["id"].as_str().unwrap()).await.status, "rejected");
    assert_eq!(stack.handled(owner["id"].as_str().unwrap()).await.status, "applied");
    assert_eq!(stack.handled(twin["id"].as_str().unwrap()).await.status, "rejected");

    let (status, conflicts) = stack.get("/sync/conflicts").await;
    assert_eq!(status, 200);
    let problems: Vec<(String, String)> = conflicts["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["external_id"].as_str().unwrap().to_owned(), c["problem"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|(id, p)| *id == no_email && p.contains("no email")));
    assert!(problems.iter().any(|(id, p)| *id == twin_id && p.contains("already used")));

    // Fixed in Stripe later: taken in, and the conflict is gone.
    let fixed = customer_event(&event_id(), "updated", t + 2, remote_customer(&no_email, "Nomail", &email("fixed")));
    stack.deliver(&fixed).await;
    assert_eq!(stack.handled(fixed["id"].as_str().unwrap()).await.status, "applied");
    let (_, conflicts) = stack.get("/sync/conflicts").await;
    assert_eq!(conflicts["data"].as_array().unwrap().len(), 1);
    assert_eq!(stack.db.count("SELECT count(*) FROM customers").await, 2);
    stack.cleanup().await;
}

#[tokio::test]
async fn events_of_the_same_second_are_settled_by_stripes_current_state() {
    let stack = Inward::start("webhook", |_| {}).await;
    let address = email("tie");
    let created = stack.stripe.create_customer(&[("name", "Current"), ("email", &address)]).await;
    let cus = created["id"].as_str().unwrap();
    let t = 1_800_000_000;
    // Two events of one second whose order cannot be told; whichever is
    // applied second makes the service read the customer from Stripe.
    let a = customer_event(&event_id(), "updated", t, remote_customer(cus, "Stale A", &address));
    let b = customer_event(&event_id(), "updated", t, remote_customer(cus, "Stale B", &address));
    for event in [&a, &b] {
        stack.deliver(event).await;
        stack.handled(event["id"].as_str().unwrap()).await;
    }
    let local = stack.local_by_email(&address).await;
    assert_eq!(local.len(), 1);
    assert_eq!(local[0]["name"], "Current");
    stack.cleanup().await;
}

#[tokio::test]
async fn a_stripe_customer_carrying_our_id_is_linked_even_before_the_worker_recorded_it() {
    let mut stack = Inward::start("webhook", |_| {}).await;
    let address = email("ours");
    let id = stack.create_local("Ours", &address).await;
    // As if a worker created it in Stripe and died before recording the id.
    let cus = customer_id();
    let mut remote = remote_customer(&cus, "Ours", &address);
    remote["metadata"] = json!({"catalog_sync_id": id, "catalog_sync_version": "1"});
    let created = customer_event(&event_id(), "created", 1_800_000_000, remote);
    stack.deliver(&created).await;
    stack.handled(created["id"].as_str().unwrap()).await;

    let local = stack.local_by_email(&address).await;
    assert_eq!(local.len(), 1, "linked, not duplicated");
    assert_eq!(local[0]["id"], id.as_str());
    assert_eq!(local[0]["sync"]["stripe"]["external_id"], cus.as_str());
    assert_eq!(local[0]["sync"]["stripe"]["status"], "synced");

    // The worker, catching up on the create, finds nothing left to do.
    stack.start_worker();
    let queue = stack.broker.topology(&stack.settings).work_queue("stripe", "customer");
    testkit::wait_for("the change to be published and consumed", crate::support::WAIT, || async {
        let unpublished = stack.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await;
        (unpublished == 0 && testkit::queue_depth(&stack.broker.url, &queue).await == 0).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(stack.stripe.all_customers().await.is_empty(), "no second Stripe customer was made");
    stack.cleanup().await;
}

#[tokio::test]
async fn handled_events_are_pruned_after_their_retention_only() {
    let mut stack = Inward::start("webhook", |_| {}).await;
    let old = customer_event(&event_id(), "created", 1_800_000_000, remote_customer(&customer_id(), "Old", &email("old")));
    let recent = customer_event(&event_id(), "created", 1_800_000_000, remote_customer(&customer_id(), "Recent", &email("recent")));
    for event in [&old, &recent] {
        stack.deliver(event).await;
        stack.handled(event["id"].as_str().unwrap()).await;
    }
    stack.stop_webhook_service().await;
    let old_id = old["id"].as_str().unwrap().to_owned();
    stack.db.execute(&format!("UPDATE inbound_events SET received_at = now() - interval '721 hours' WHERE event_id = '{old_id}'")).await;

    stack.start_webhook_service().await;
    testkit::wait_for("the old event to be pruned", crate::support::WAIT, || async {
        (stack.db.count(&format!("SELECT count(*) FROM inbound_events WHERE event_id = '{old_id}'")).await == 0).then_some(())
    })
    .await;
    assert_eq!(stack.db.count("SELECT count(*) FROM inbound_events").await, 1, "the recent one stays");
    assert_eq!(stack.db.count("SELECT count(*) FROM customers").await, 2, "pruning touches the inbox only");
    stack.cleanup().await;
}

#[tokio::test]
async fn a_delete_applied_before_the_events_it_follows_keeps_the_customer_out() {
    // The create's and the edit's webhooks were lost; the delete came by
    // webhook, and the poller finds the two older events afterwards.
    let stack = Inward::start("webhook", |_| {}).await;
    let cus = customer_id();
    let address = email("deleted_first");
    let t = 1_800_000_000;
    let deleted = customer_event(&event_id(), "deleted", t + 5, remote_customer(&cus, "Gone", &address));
    let created = customer_event(&event_id(), "created", t, remote_customer(&cus, "Gone", &address));
    let updated = customer_event(&event_id(), "updated", t + 1, remote_customer(&cus, "Gone soon", &address));

    for event in [&deleted, &created, &updated] {
        assert_eq!(stack.deliver(event).await.status(), 200);
        stack.handled(event["id"].as_str().unwrap()).await;
    }

    assert!(stack.local_by_email(&address).await.is_empty(), "a delete is final, whatever arrives after it");
    let late = stack.handled(created["id"].as_str().unwrap()).await;
    assert_eq!(late.status, "skipped");
    assert!(late.detail.unwrap_or_default().contains("deleted in Stripe"));
    assert_eq!(stack.db.count("SELECT count(*) FROM customers").await, 0);
    stack.cleanup().await;
}

#[tokio::test]
async fn an_inbox_row_of_another_integration_is_never_read_as_a_stripe_event() {
    // A row stored for another integration, shaped like a Stripe customer event.
    let stack = Inward::start("webhook", |_| {}).await;
    let address = email("elsewhere");
    let event = customer_event(&event_id(), "created", 1_800_000_000, remote_customer(&customer_id(), "Elsewhere", &address));
    let payload = event.to_string().replace('\'', "''");
    let id = event["id"].as_str().unwrap();
    stack
        .db
        .execute(&format!(
            "INSERT INTO inbound_events (integration, event_id, event_type, event_created, payload, source) \
             VALUES ('salesforce', '{id}', 'customer.created', 1800000000, '{payload}', 'poll')"
        ))
        .await;

    let handled = testkit::wait_for("the row handled", crate::support::WAIT, || async {
        let mut conn = stack.db.connect().await;
        shared_models::db::inbound_events::find(&mut conn, "salesforce", id).await.unwrap().filter(|e| e.status != "pending")
    })
    .await;

    assert_eq!(handled.status, "ignored", "{:?}", handled.detail);
    assert!(stack.local_by_email(&address).await.is_empty(), "not taken in as a Stripe customer");
    stack.cleanup().await;
}
