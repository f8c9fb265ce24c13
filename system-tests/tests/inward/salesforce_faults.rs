//! Salesforce failing under the sync: its daily quota spent in the middle of
//! a burst, and a worker killed after its upsert reached Salesforce but
//! before the answer was recorded.

use std::time::Duration;

use serde_json::Value;
use testkit::TcpProxy;

use crate::sides::ThreeSides;
use crate::support::{email, WAIT};

/// The customer's link to Salesforce, once it is synced.
async fn synced_in_salesforce(sides: &ThreeSides, id: &str) -> Option<Value> {
    let customer = sides.stack.get(&format!("/customers/{id}")).await.1;
    (customer["sync"]["salesforce"]["status"] == "synced").then_some(customer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_spent_mid_burst_delays_changes_and_loses_none() {
    // Two attempts only: a wait for the quota must not use them up.
    let sides = ThreeSides::start(|s| {
        s.salesforce.quota_wait_seconds = 1;
        s.sync.retry_max_attempts = 2;
    })
    .await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(sides.stack.create_local(&format!("Early Number{n}"), &email("early")).await);
    }
    for id in &ids {
        testkit::wait_for("the early ones in Salesforce", WAIT, || synced_in_salesforce(&sides, id)).await;
    }

    // Act: the quota runs out; the burst goes on; hours later (seconds here) it is back.
    sides.salesforce.controls().spend_quota();
    for n in 0..5 {
        ids.push(sides.stack.create_local(&format!("Late Number{n}"), &email("late")).await);
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(sides.contact_of(&ids[3]).is_none(), "nothing is written while the quota is spent");
    sides.salesforce.controls().restore_quota();

    // Assert: every change arrives, once; none was dead-lettered.
    for id in &ids {
        testkit::wait_for("every customer in Salesforce", WAIT, || synced_in_salesforce(&sides, id)).await;
    }
    let contacts = sides.salesforce.controls().contacts();
    for id in &ids {
        assert_eq!(contacts.iter().filter(|c| c["Catalog_Sync_Id__c"] == id.as_str()).count(), 1, "one Contact for {id}");
    }
    let dead = sides.stack.broker.topology(&sides.stack.settings).dead_queue("salesforce", "customer");
    assert_eq!(testkit::queue_depth(&sides.stack.settings.broker.url, &dead).await, 0, "nothing dead-lettered");
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_after_its_upsert_landed_makes_no_second_contact() {
    let mut sides = ThreeSides::start(|_| {}).await;
    sides.stop_salesforce_worker().await;
    // The REST calls go through a proxy that holds Salesforce's answers.
    let double: std::net::SocketAddr = sides.salesforce.url().trim_start_matches("http://").parse().unwrap();
    let proxy = TcpProxy::start(double).await;
    sides.salesforce.controls().set_instance_url(&proxy.http_url());
    let vars = [("WORKER_PAIRS", "customer:salesforce")];
    let mut worker = testkit::spawn_binary(&testkit::workspace_binary("sync-worker"), &sides.stack.settings, &vars);
    let described = || sides.salesforce.controls().calls().iter().any(|c| c.path.ends_with("/describe"));
    testkit::wait_for("the worker's check at start", WAIT, || async { described().then_some(()) }).await;
    // Consuming: the check's answer has come back through the proxy (held
    // from now on, it would keep the worker from ever starting).
    let (broker, queue) =
        (&sides.stack.broker.url, sides.stack.broker.topology(&sides.stack.settings).work_queue("salesforce", "customer"));
    testkit::wait_for("the worker consuming", WAIT, || async { (testkit::queue_consumers(broker, &queue).await > 0).then_some(()) }).await;
    proxy.delay_replies(Duration::from_secs(120));

    // Act: the upsert reaches Salesforce, its answer is held, and the
    // worker dies before it hears it.
    let id = sides.stack.create_local("Kim Killed", &email("killed")).await;
    testkit::wait_for("the upsert to land in Salesforce", WAIT, || async { sides.contact_of(&id) }).await;
    worker.start_kill().unwrap();
    worker.wait().await.unwrap();
    proxy.delay_replies(Duration::ZERO);
    sides.start_salesforce_worker();

    // Assert: the change is redelivered, and finds the Contact it made.
    testkit::wait_for("the customer synced to Salesforce", WAIT, || synced_in_salesforce(&sides, &id)).await;
    let made = sides.salesforce.controls().contacts().into_iter().filter(|c| c["Catalog_Sync_Id__c"] == id.as_str()).count();
    assert_eq!(made, 1, "no second Contact");
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_committed_late_with_a_stamp_minutes_old_still_comes_in() {
    let sides = ThreeSides::start(|_| {}).await;
    let controls = sides.salesforce.controls();
    let first = email("first");
    controls.create_contact(&serde_json::json!({"FirstName": "Early", "LastName": "One", "Email": first})).unwrap();
    testkit::wait_for("the first Contact here", WAIT, || async { sides.stack.local_by_email(&first).await.pop() }).await;

    // A long transaction (a batch job) commits now what it stamped five
    // minutes ago, before the poll that read the first Contact.
    let late = email("late");
    let stamped = controls.now() - chrono::TimeDelta::minutes(5);
    controls.create_contact_stamped(&serde_json::json!({"FirstName": "Late", "LastName": "Commit", "Email": late}), stamped).unwrap();

    let arrived = testkit::wait_for("the late Contact here", WAIT, || async { sides.stack.local_by_email(&late).await.pop() }).await;
    assert_eq!(arrived["name"], "Late Commit");
    sides.finish().await;
}
