//! The customer catalog kept with Stripe and Salesforce at once: a change
//! made in any of the three places reaches the other two, and nobody's
//! own write bounces back as a new one.

use std::time::Duration;

use serde_json::json;
use testkit::SalesforceDouble;
use tokio_util::sync::CancellationToken;

use crate::sides::ThreeSides;
use crate::support::{email, Inward, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_in_any_of_three_places_reaches_the_other_two() {
    three_places(chrono::TimeDelta::zero()).await;
}

/// Salesforce's clock minutes ahead of ours, then behind: its stamps and
/// the `If-Unmodified-Since` of our writes are on its clock, ours on ours.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_three_places_agree_while_salesforces_clock_is_minutes_off_ours() {
    three_places(chrono::TimeDelta::minutes(4)).await;
    three_places(chrono::TimeDelta::minutes(-4)).await;
}

async fn three_places(skew: chrono::TimeDelta) {
    let sides = ThreeSides::start(|_| {}).await;
    sides.salesforce.controls().skew_clock(skew);
    let (stack, salesforce) = (&sides.stack, &sides.salesforce);
    let contact_of = |id: &str| sides.contact_of(id);

    // Made here: it reaches Stripe and Salesforce.
    let address = email("three");
    let id = stack.create_local("Ada Lovelace", &address).await;
    let contact = testkit::wait_for("the Contact", WAIT, || async { contact_of(&id) }).await;
    assert_eq!((&contact["FirstName"], &contact["LastName"]), (&json!("Ada"), &json!("Lovelace")));
    let cus = testkit::wait_for("the Stripe customer", WAIT, || async { stack.stripe.customers_by_email(&address).await.pop() }).await;

    // Edited in Salesforce: it reaches the catalog and Stripe.
    let contact_id = contact["Id"].as_str().unwrap().to_owned();
    salesforce.controls().update_contact(&contact_id, &json!({"FirstName": "Countess"})).unwrap();
    testkit::wait_for("the Salesforce edit here", WAIT, || async {
        (stack.get(&format!("/customers/{id}")).await.1["name"] == "Countess Lovelace").then_some(())
    })
    .await;
    let cus_id = cus["id"].as_str().unwrap().to_owned();
    testkit::wait_for("the Salesforce edit in Stripe", WAIT, || async {
        (stack.stripe.customer(&cus_id).await["name"] == "Countess Lovelace").then_some(())
    })
    .await;

    // Edited in Stripe: it reaches the catalog and Salesforce.
    stack.stripe.update_customer(&cus_id, &[("name", "Ada King")]).await;
    testkit::wait_for("the Stripe edit in Salesforce", WAIT, || async {
        contact_of(&id).filter(|c| c["FirstName"] == "Ada" && c["LastName"] == "King").map(drop)
    })
    .await;

    // Quiet: no echo writes. Salesforce saw one create and two updates of
    // ours (the local create, the Stripe edit), nothing more.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let writes = salesforce.controls().calls().iter().filter(|c| c.method != "GET" && c.path.starts_with("/services/data/")).count();
    assert_eq!(writes, 2, "{:?}", salesforce.controls().calls());
    let synced = stack.get(&format!("/customers/{id}")).await.1;
    assert_eq!(
        (&synced["sync"]["salesforce"]["status"], &synced["sync"]["stripe"]["status"]),
        (&json!("synced"), &json!("synced")),
        "{synced}"
    );

    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_reach_every_side_from_here_and_from_salesforce() {
    let sides = ThreeSides::start(|_| {}).await;
    let (stack, salesforce) = (&sides.stack, &sides.salesforce);
    let live_contact =
        |id: &str| salesforce.controls().contacts().into_iter().find(|c| c["Catalog_Sync_Id__c"] == id && c["IsDeleted"] == false);

    // Deleted here: gone from Salesforce and Stripe.
    let (here, there) = (email("del-here"), email("del-there"));
    let a = stack.create_local("Ann Here", &here).await;
    testkit::wait_for("A's Contact", WAIT, || async { live_contact(&a) }).await;
    assert_eq!(stack.http.delete(format!("{}/customers/{a}", stack.api)).send().await.unwrap().status(), 204);
    testkit::wait_for("A's Contact deleted", WAIT, || async { live_contact(&a).is_none().then_some(()) }).await;
    testkit::wait_for("A gone from Stripe", WAIT, || async { stack.stripe.customers_by_email(&here).await.is_empty().then_some(()) }).await;

    // Deleted in Salesforce (and its recycle bin emptied): gone here and from Stripe.
    let b = stack.create_local("Bob There", &there).await;
    let contact = testkit::wait_for("B's Contact", WAIT, || async { live_contact(&b) }).await;
    testkit::wait_for("B in Stripe", WAIT, || async { stack.stripe.customers_by_email(&there).await.pop() }).await;
    salesforce.controls().delete_contact(contact["Id"].as_str().unwrap()).unwrap();
    salesforce.controls().empty_recycle_bin();
    testkit::wait_for("B deleted here", WAIT, || async { (stack.get(&format!("/customers/{b}")).await.0 == 404).then_some(()) }).await;
    testkit::wait_for("B gone from Stripe", WAIT, || async { stack.stripe.customers_by_email(&there).await.is_empty().then_some(()) })
        .await;

    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_salesforce_refuses_is_shown_on_the_customer_and_blocks_nothing() {
    let sides = ThreeSides::start(|_| {}).await;
    let (stack, salesforce) = (&sides.stack, &sides.salesforce);

    // Two Contacts people made hold the email, with a name the catalog
    // refuses (so they are conflicts here, not customers); the org's
    // duplicate rule is on. One match would be the customer (linked:
    // salesforce_refusals); two are no one to pick.
    let twin = email("twin");
    salesforce.controls().create_contact(&json!({"LastName": "\u{202e}Someone Else", "Email": twin})).unwrap();
    salesforce.controls().create_contact(&json!({"LastName": "\u{202e}Someone Other", "Email": twin})).unwrap();
    salesforce.controls().duplicate_rule(true);
    let refused = stack.create_local("Tina Twin", &twin).await;
    let other = stack.create_local("Otto Other", &email("other")).await;

    let shown = testkit::wait_for("the refusal on the customer", WAIT, || async {
        let customer = stack.get(&format!("/customers/{refused}")).await.1;
        (customer["sync"]["salesforce"]["status"] == "failed").then_some(customer)
    })
    .await;
    let error = shown["sync"]["salesforce"]["last_error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("DUPLICATES_DETECTED") && error.contains("matched 2 Contacts"), "{shown}");
    // The two integrations are independent: Stripe takes the customer in its
    // own time, and Salesforce's refusal holds it back not at all.
    let both = testkit::wait_for("Stripe took it", WAIT, || async {
        let customer = stack.get(&format!("/customers/{refused}")).await.1;
        (customer["sync"]["stripe"]["status"] == "synced").then_some(customer)
    })
    .await;
    assert_eq!(both["sync"]["salesforce"]["status"], "failed", "the refusal stays shown: {both}");
    testkit::wait_for("the other customer in Salesforce", WAIT, || async {
        salesforce.controls().contacts().into_iter().find(|c| c["Catalog_Sync_Id__c"] == other.as_str())
    })
    .await;

    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_down_for_a_while_catches_up_both_ways() {
    let sides = ThreeSides::start(|s| {
        // Retries outlast the outage (RETRY_MAX_ATTEMPTS is a setting: an
        // outage longer than the retries lands in the dead letters).
        s.sync.retry_max_attempts = 30;
    })
    .await;
    let (stack, salesforce) = (&sides.stack, &sides.salesforce);
    let contact_of = |id: &str| sides.contact_of(id);

    // Salesforce answers 503 to the next calls, while a customer is made
    // here and a Contact is made there.
    salesforce.controls().fail_next(12, 503, "SERVER_UNAVAILABLE");
    let here = stack.create_local("Made During", &email("during")).await;
    let there = email("there");
    salesforce.controls().create_contact(&json!({"FirstName": "Made", "LastName": "There", "Email": there})).unwrap();

    testkit::wait_for("the customer in Salesforce", Duration::from_secs(60), || async { contact_of(&here) }).await;
    let arrived =
        testkit::wait_for("the Contact here", Duration::from_secs(60), || async { stack.local_by_email(&there).await.pop() }).await;
    assert_eq!(arrived["name"], "Made There");
    let here_view = stack.get(&format!("/customers/{here}")).await.1;
    assert_eq!(here_view["sync"]["salesforce"]["status"], "synced", "{here_view}");
    assert_eq!(salesforce.controls().contacts().len(), 2, "nothing doubled");

    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_in_stripe_and_salesforce_at_once_converge_on_one_name() {
    let sides = ThreeSides::start(|_| {}).await;
    let (stack, salesforce) = (&sides.stack, &sides.salesforce);
    let address = email("both");
    let id = stack.create_local("Start Name", &address).await;
    let contact = testkit::wait_for("the Contact", WAIT, || async { sides.contact_of(&id) }).await;
    let cus = testkit::wait_for("the Stripe customer", WAIT, || async { stack.stripe.customers_by_email(&address).await.pop() }).await;
    let cus = cus["id"].as_str().unwrap().to_owned();
    stack.wait_synced(&id, 1).await;

    // Within the same second, a person edits it in each.
    stack.stripe.update_customer(&cus, &[("name", "Stripe Side")]).await;
    salesforce.controls().update_contact(contact["Id"].as_str().unwrap(), &json!({"FirstName": "Salesforce", "LastName": "Side"})).unwrap();

    // All three end on the same name, one of the two.
    let agreed = testkit::wait_for("the three sides to agree", Duration::from_secs(60), || async {
        let here = stack.get(&format!("/customers/{id}")).await.1["name"].as_str().unwrap_or_default().to_owned();
        let in_stripe = stack.stripe.customer(&cus).await["name"].as_str().unwrap_or_default().to_owned();
        let c = sides.contact_of(&id)?;
        let in_salesforce = format!("{} {}", c["FirstName"].as_str().unwrap_or_default(), c["LastName"].as_str().unwrap_or_default());
        (here == in_stripe && here == in_salesforce && here != "Start Name").then_some(here)
    })
    .await;
    assert!(agreed == "Stripe Side" || agreed == "Salesforce Side", "{agreed}");
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_an_org_that_holds_contacts_links_by_email_and_imports_the_rest() {
    let salesforce = SalesforceDouble::start().await.unwrap();
    let login = salesforce.url().to_owned();
    let mut stack = Inward::start("webhook", |s| {
        s.sync.integrations = "stripe,salesforce".into();
        s.salesforce.login_url = login.clone();
    })
    .await;
    // The org already holds Ann (whom the catalog knows too) and Zed; the
    // sync has not run against it yet.
    stack.stop_webhook_service().await;
    let (ann, zed) = (email("ann"), email("zed"));
    let ann_id = stack.create_local("Ann Example", &ann).await;
    let ann_contact = salesforce.controls().create_contact(&json!({"FirstName": "Ann", "LastName": "Example", "Email": ann})).unwrap();
    salesforce.controls().create_contact(&json!({"FirstName": "Zed", "LastName": "New", "Email": zed})).unwrap();

    let dry = wiring::reconciler(&stack.settings).unwrap().run(true, &()).await.unwrap();
    assert!(dry.linked >= 1 && dry.catalog.created >= 1, "{dry:?}");
    assert!(stack.local_by_email(&zed).await.is_empty(), "a dry run changes nothing");
    let done = wiring::reconciler(&stack.settings).unwrap().run(false, &()).await.unwrap();
    assert!(done.linked >= 1 && done.catalog.created >= 1, "{done:?}");

    // Ann is linked to her Contact, not doubled; Zed is a customer now.
    let linked = stack.get(&format!("/customers/{ann_id}")).await.1;
    assert_eq!(linked["sync"]["salesforce"]["external_id"], json!(ann_contact), "{linked}");
    assert_eq!(stack.local_by_email(&zed).await.len(), 1);
    stack.start_worker();
    let stop = CancellationToken::new();
    let worker = tokio::spawn(wiring::customers_to_salesforce(&stack.settings).unwrap().run(stop.clone()));
    stack.wait_synced(&ann_id, 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(salesforce.controls().contacts().len(), 2, "no second Contact for Ann");
    stop.cancel();
    let _ = worker.await;
    stack.cleanup().await;
    salesforce.stop().await;
}
