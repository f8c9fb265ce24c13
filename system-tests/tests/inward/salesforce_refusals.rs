//! What a real org refuses, and an org out of reach: a duplicate rule's one
//! match is the customer (linked, not refused); an email Salesforce cannot
//! hold is shown once and Stripe still gets it; a refused sign-in makes
//! changes wait, not fail; Salesforce away when a worker starts holds back
//! its own pair only.

use serde_json::{json, Value};
use testkit::salesforce_double::{DuplicateAction, DuplicateMatching};

use crate::sides::ThreeSides;
use crate::support::{email, Inward, WAIT};

async fn customer(stack: &Inward, id: &str) -> Value {
    stack.get(&format!("/customers/{id}")).await.1
}

async fn dead_letters(stack: &Inward) -> u32 {
    let dead = stack.broker.topology(&stack.settings).dead_queue("salesforce", "customer");
    testkit::queue_depth(&stack.broker.url, &dead).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_a_duplicate_rule_matches_is_linked_not_refused() {
    let mut sides = ThreeSides::start(|_| {}).await;
    sides.salesforce.controls().set_duplicate_rule(Some((DuplicateMatching::StandardContact, DuplicateAction::Alert)));
    // A colleague's Contact of the same person, made a minute ago and not
    // read in yet. (Made within a second or two of our edit, the order of
    // the two is inside what Salesforce's clock tells us; its edit is then
    // taken as the later one and brought in by the poller, stopped here.)
    sides.stack.stop_webhook_service().await;
    let address = email("twin");
    let fields = json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": address});
    let a_minute_ago = sides.salesforce.controls().now() - chrono::TimeDelta::minutes(1);
    let theirs = sides.salesforce.controls().create_contact_stamped(&fields, a_minute_ago).unwrap();

    let id = sides.stack.create_local("Ada Lovelace", &address).await;

    let linked = testkit::wait_for("the customer linked to the colleague's Contact", WAIT, || async {
        let c = customer(&sides.stack, &id).await;
        (c["sync"]["salesforce"]["status"] == "synced" && c["sync"]["salesforce"]["external_id"] == theirs.as_str()).then_some(c)
    })
    .await;
    assert_eq!(linked["sync"]["stripe"]["conflict"], Value::Null);
    let contacts = sides.salesforce.controls().contacts();
    let same: Vec<&Value> = contacts.iter().filter(|c| c["Email"] == address.as_str()).collect();
    assert_eq!(same.len(), 1, "no second Contact: {same:?}");
    assert_eq!(same[0]["Catalog_Sync_Id__c"], json!(id), "it carries our id from now on");
    sides.stack.start_webhook_service().await;
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_salesforce_refuses_is_shown_once_and_stripe_still_gets_the_customer() {
    let sides = ThreeSides::start(|_| {}).await;
    let address = format!("zoë.{}", email("idn"));
    let id = sides.stack.create_local("Zoë Ümlaut", &address).await;

    sides.stack.wait_synced(&id, 1).await;
    let refused = testkit::wait_for("the refusal on the Salesforce link", WAIT, || async {
        let c = customer(&sides.stack, &id).await;
        (c["sync"]["salesforce"]["status"] == "failed").then_some(c)
    })
    .await;
    let why = refused["sync"]["salesforce"]["last_error"].as_str().unwrap_or_default().to_owned();
    assert!(why.contains("INVALID_EMAIL_ADDRESS"), "{refused}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let upserts = sides.salesforce.controls().calls().iter().filter(|c| c.method == "PATCH").count();
    assert_eq!(upserts, 1, "tried once, not retried");
    assert_eq!(dead_letters(&sides.stack).await, 0, "nothing dead-lettered");
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_in_makes_changes_wait_and_they_go_through_once_it_is_fixed() {
    let sides = ThreeSides::start(|s| s.sync.retry_max_attempts = 2).await;
    sides.salesforce.controls().revoke_app();
    let id = sides.stack.create_local("Kept Waiting", &email("revoked")).await;

    let waiting = testkit::wait_for("the wait shown on the link", WAIT, || async {
        let c = customer(&sides.stack, &id).await;
        c["sync"]["salesforce"]["last_error"].as_str().is_some_and(|e| e.contains("refused the sign-in")).then_some(c)
    })
    .await;
    assert_eq!((&waiting["sync"]["salesforce"]["status"], &waiting["sync"]["salesforce"]["attempts"]), (&json!("pending"), &json!(0)));
    sides.stack.wait_synced(&id, 1).await;

    sides.salesforce.controls().restore_app();
    testkit::wait_for("the customer in Salesforce", std::time::Duration::from_secs(90), || async {
        (customer(&sides.stack, &id).await["sync"]["salesforce"]["status"] == "synced").then_some(())
    })
    .await;
    assert_eq!(dead_letters(&sides.stack).await, 0);
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_out_of_reach_when_a_worker_starts_holds_back_its_own_pair_only() {
    let salesforce = testkit::SalesforceDouble::start().await.unwrap();
    let double: std::net::SocketAddr = salesforce.url().trim_start_matches("http://").parse().unwrap();
    let proxy = testkit::TcpProxy::start(double).await;
    proxy.cut();
    let login = proxy.http_url();
    let stack = Inward::start("webhook", |s| {
        s.sync.integrations = "stripe,salesforce".into();
        s.salesforce.login_url = login.clone();
    })
    .await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let mut worker = testkit::spawn_binary(&testkit::workspace_binary("sync-worker"), &stack.settings, &[("WORKER_METRICS_PORT", &port)]);
    let ready = format!("http://127.0.0.1:{port}/ready");

    // Stripe's changes flow while Salesforce is away; the worker says why it is not whole.
    let id = stack.create_local("Early Bird", &email("outage")).await;
    stack.wait_synced(&id, 1).await;
    let answer = testkit::wait_for("the worker's /ready", WAIT, || async {
        let response = stack.http.get(&ready).send().await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.json::<Value>().await.ok()?))
    })
    .await;
    assert_eq!(answer.0, 503, "{answer:?}");
    assert!(answer.1["pairs"]["customer:salesforce"].as_str().is_some_and(|s| s.starts_with("waiting")), "{answer:?}");
    assert_eq!(answer.1["pairs"]["customer:stripe"], json!("running"));

    // Back: the waiting pair starts, and the change reaches Salesforce.
    proxy.restore();
    testkit::wait_for("the customer in Salesforce", std::time::Duration::from_secs(90), || async {
        (customer(&stack, &id).await["sync"]["salesforce"]["status"] == "synced").then_some(())
    })
    .await;
    let after = stack.http.get(&ready).send().await.unwrap();
    assert_eq!(after.status().as_u16(), 200);
    worker.start_kill().unwrap();
    let _ = worker.wait().await;
    stack.cleanup().await;
    salesforce.stop().await;
}
