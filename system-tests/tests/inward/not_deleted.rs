//! "Not found" is not "deleted": a 404 that is not the integration's word
//! that the record was deleted changes nothing here or anywhere else. It
//! shows on the customer's link, and the change waits until a person fixes
//! the cause (field security, sharing, another account).

use serde_json::{json, Value};

use crate::sides::ThreeSides;
use crate::support::{email, Inward, WAIT};

async fn customer(stack: &Inward, id: &str) -> Value {
    stack.get(&format!("/customers/{id}")).await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_salesforce_answers_404_deletes_nothing_and_goes_through_once_fixed() {
    let sides = ThreeSides::start(|_| {}).await;
    // The external-id field hidden from the API user (field-level security)
    // after the worker's check at start: the upsert by it answers 404.
    sides.salesforce.controls().custom_fields(false);
    let address = email("hidden-field");
    let id = sides.stack.create_local("Hedy Lamarr", &address).await;

    let shown = testkit::wait_for("the problem on the Salesforce link", WAIT, || async {
        let c = customer(&sides.stack, &id).await;
        c["sync"]["salesforce"]["last_error"].as_str().is_some_and(|e| e.contains("nothing was created")).then_some(c)
    })
    .await;
    assert_eq!(shown["sync"]["salesforce"]["status"], json!("pending"), "{shown}");
    sides.stack.wait_synced(&id, 1).await;
    let cus = customer(&sides.stack, &id).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    assert_ne!(sides.stack.stripe.customer(&cus).await["deleted"], json!(true), "Stripe keeps the customer");
    assert_eq!(sides.stack.get(&format!("/customers/{id}")).await.0, 200, "the catalog keeps the customer");

    // Fixed in Salesforce: the waiting change goes through, once.
    sides.salesforce.controls().custom_fields(true);
    testkit::wait_for("the customer synced to Salesforce", WAIT, || async {
        (customer(&sides.stack, &id).await["sync"]["salesforce"]["status"] == "synced").then_some(())
    })
    .await;
    let made = sides.salesforce.controls().contacts().into_iter().filter(|c| c["Catalog_Sync_Id__c"] == id.as_str()).count();
    assert_eq!(made, 1);
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stripe_key_of_another_account_deletes_nothing() {
    // Arrange: a customer synced to one Stripe account (the emulator).
    let mut stack = Inward::start("webhook", |_| {}).await;
    stack.start_worker();
    let id = stack.create_local("Grace Hopper", &email("account")).await;
    stack.wait_synced(&id, 1).await;

    // Act: the worker is given a key of another account (an empty Stripe of
    // its own), and the customer is edited here.
    stack.stop_worker().await;
    let other = testkit::StripeDouble::start(None).expect("another Stripe account");
    let home = stack.settings.stripe.api_base.clone();
    stack.settings.stripe.api_base = other.url.clone();
    stack.start_worker();
    stack.rename_local(&id, "Grace Brewster Hopper").await;

    // Assert: the update's 404 and the retrieve's 404 are no delete; the
    // customer stays, with the problem shown on it.
    let shown = testkit::wait_for("the problem on the Stripe link", WAIT, || async {
        let c = customer(&stack, &id).await;
        c["sync"]["stripe"]["conflict"].as_str().is_some_and(|p| p.contains("does not say it was deleted")).then_some(c)
    })
    .await;
    assert_eq!((&shown["name"], &shown["sync"]["stripe"]["status"]), (&json!("Grace Brewster Hopper"), &json!("pending")), "{shown}");
    let (_, conflicts) = stack.get("/sync/conflicts").await;
    assert_eq!(conflicts["data"].as_array().map(Vec::len), Some(1), "{conflicts}");

    // The right key again: the waiting edit reaches the customer, and the problem is over.
    stack.stop_worker().await;
    stack.settings.stripe.api_base = home;
    stack.start_worker();
    stack.wait_synced(&id, 2).await;
    let cus = customer(&stack, &id).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    assert_eq!(stack.stripe.customer(&cus).await["name"], json!("Grace Brewster Hopper"));
    assert_eq!(stack.get("/sync/conflicts").await.1["data"], json!([]));
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sharing_change_that_hides_every_contact_deletes_nothing() {
    let sides = ThreeSides::start(|_| {}).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(sides.stack.create_local(&format!("Shared Person{n}"), &email("shared")).await);
    }
    for id in &ids {
        testkit::wait_for("each customer in Salesforce", WAIT, || async {
            (customer(&sides.stack, id).await["sync"]["salesforce"]["status"] == "synced").then_some(())
        })
        .await;
    }

    // Act: the API user loses sight of every Contact; an edit here and a
    // reconcile meet the 404s.
    sides.salesforce.controls().hide_all_contacts();
    sides.stack.rename_local(&ids[0], "Edited While Hidden").await;
    let summary = wiring::reconciler(&sides.stack.settings).unwrap().run(false, &()).await.unwrap();

    // Assert: nothing deleted anywhere; every Contact shown as a problem.
    assert_eq!((summary.catalog.deleted, summary.missing, summary.held), (0, 3, 0), "{summary:?}");
    testkit::wait_for("the edit's problem on its link", WAIT, || async {
        let c = customer(&sides.stack, &ids[0]).await;
        c["sync"]["salesforce"]["last_error"].as_str().is_some_and(|e| e.contains("does not say")).then_some(())
    })
    .await;
    for id in &ids {
        assert_eq!(sides.stack.get(&format!("/customers/{id}")).await.0, 200);
    }
    assert!(sides.salesforce.controls().contacts().iter().all(|c| c["IsDeleted"] == false), "nothing deleted in Salesforce");
    let stripe_live = sides.stack.stripe.all_customers().await.iter().filter(|c| c["deleted"] != json!(true)).count();
    assert_eq!(stripe_live, 3, "nothing deleted in Stripe");

    // Shown again: the waiting edit goes through.
    sides.salesforce.controls().show_all_contacts();
    testkit::wait_for("the edit in Salesforce", WAIT, || async {
        sides.contact_of(&ids[0]).filter(|c| c["FirstName"] == "Edited While").map(drop)
    })
    .await;
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_merged_in_salesforce_moves_its_customer_to_the_master_and_deletes_nothing() {
    let sides = ThreeSides::start(|_| {}).await;
    let controls = sides.salesforce.controls();
    let address = email("merged");
    let id = sides.stack.create_local("Ada Lovelace", &address).await;
    let loser = testkit::wait_for("the Contact", WAIT, || async { sides.contact_of(&id) }).await["Id"].as_str().unwrap().to_owned();
    // A colleague's duplicate of the same person, kept as the master.
    let master = controls.create_contact(&json!({"FirstName": "Ada", "LastName": "King", "Email": address})).unwrap();
    let other_address = email("other");
    let other = sides.stack.create_local("Bob Other", &other_address).await;
    let other_contact =
        testkit::wait_for("Bob's Contact", WAIT, || async { sides.contact_of(&other) }).await["Id"].as_str().unwrap().to_owned();

    // Act: merged in Salesforce's UI, a second later (an edit here in the
    // same second as a change there wins: the rule of same-second changes).
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    controls.merge_contacts(&master, &[&loser]).unwrap();

    // Assert: the customer lives on, linked to the master, with its values
    // (the merge is the later change); Stripe follows; nothing deleted.
    let moved = testkit::wait_for("the customer linked to the master", WAIT, || async {
        let c = customer(&sides.stack, &id).await;
        (c["sync"]["salesforce"]["external_id"] == master.as_str() && c["name"] == "Ada King").then_some(c)
    })
    .await;
    assert_eq!(moved["email"], json!(address));
    testkit::wait_for("the master's name in Stripe", WAIT, || async {
        sides.stack.stripe.customers_by_email(&address).await.pop().filter(|c| c["name"] == "Ada King").map(drop)
    })
    .await;
    // An edit here now reaches the master.
    sides.stack.rename_local(&id, "Ada Byron King").await;
    testkit::wait_for("the edit on the master", WAIT, || async {
        controls.contact(&master).filter(|c| c["FirstName"] == "Ada Byron").map(drop)
    })
    .await;

    // Merged into a Contact another customer stands for: both kept, shown.
    controls.merge_contacts(&other_contact, &[&master]).unwrap();
    testkit::wait_for("the conflict of two customers for one Contact", WAIT, || async {
        let c = customer(&sides.stack, &id).await;
        c["sync"]["salesforce"]["conflict"].as_str().is_some_and(|p| p.contains("both are kept")).then_some(())
    })
    .await;
    assert_eq!(sides.stack.get(&format!("/customers/{id}")).await.0, 200);
    assert_eq!(sides.stack.get(&format!("/customers/{other}")).await.0, 200);
    assert_eq!(sides.stack.stripe.customers_by_email(&address).await.len(), 1, "nothing deleted in Stripe");
    sides.finish().await;
}
