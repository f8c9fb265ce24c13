//! The Contact connector and its client against the Salesforce double, over
//! real HTTP: upserts that never double, a deleted Contact coming back as
//! Gone, a token that expires mid-run, the quota, the duplicate rule.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use customer_catalog::CustomerRecord;
use salesforce_integration::client::{Credentials, SalesforceHttp};
use salesforce_integration::contacts::{DuplicateRule, Fields, SalesforceContacts};
use sync_core::{Connector, SyncError};
use testkit::salesforce_double::{CLIENT_ID, CLIENT_SECRET};
use testkit::SalesforceDouble;
use uuid::Uuid;

fn connector(double: &SalesforceDouble, duplicates: DuplicateRule) -> SalesforceContacts {
    let credentials =
        Credentials { login_url: double.url().to_owned(), client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.to_owned().into() };
    let http = SalesforceHttp::new(credentials, "62.0", Duration::from_secs(5)).unwrap();
    let fields = Fields { external_id: "Catalog_Sync_Id__c".into(), version: "Catalog_Sync_Version__c".into() };
    SalesforceContacts::new(http, fields, duplicates)
}

fn record(name: &str, email: &str, version: i64) -> CustomerRecord {
    CustomerRecord { id: Uuid::now_v7(), version, name: name.into(), email: email.into() }
}

#[tokio::test]
async fn a_create_sent_twice_makes_one_contact_with_the_name_split_by_the_rule() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double, DuplicateRule::Respect);
    let ada = record("Ada King Lovelace", "ada@example.com", 1);

    let first = contacts.create(&ada, "k1").await.unwrap();
    let again = contacts.create(&ada, "k1").await.unwrap();

    assert_eq!(first, again, "an upsert by our id finds the Contact it made");
    assert_eq!(double.controls().contacts().len(), 1);
    let held = double.controls().contact(&first).unwrap();
    assert_eq!(
        (&held["FirstName"], &held["LastName"], &held["Email"]),
        (&"Ada King".into(), &"Lovelace".into(), &"ada@example.com".into())
    );
    assert_eq!(held["Catalog_Sync_Id__c"], ada.id.to_string());
    assert_eq!(contacts.find(ada.id, &[]).await.unwrap(), Some(first));
    double.stop().await;
}

#[tokio::test]
async fn updates_and_deletes_follow_the_contact_and_a_deleted_one_is_gone() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double, DuplicateRule::Respect);
    let mut ada = record("Ada Lovelace", "ada@example.com", 1);
    let id = contacts.create(&ada, "k1").await.unwrap();
    ada.name = "Countess Lovelace".into();
    ada.version = 2;
    contacts.update(&id, &ada, "k2", None).await.unwrap();
    assert_eq!(double.controls().contact(&id).unwrap()["FirstName"], "Countess");

    double.controls().delete_contact(&id).unwrap();
    assert!(matches!(contacts.update(&id, &ada, "k3", None).await, Err(SyncError::Gone { .. })));
    contacts.delete(&id, "k4").await.unwrap();
    assert_eq!(double.controls().contacts().iter().filter(|c| c["IsDeleted"] == false).count(), 0, "no Contact made again");
    double.stop().await;
}

#[tokio::test]
async fn not_found_is_not_deleted_and_a_merged_contact_points_to_its_master() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double, DuplicateRule::Respect);
    let ada = record("Ada Lovelace", "ada@example.com", 1);
    let id = contacts.create(&ada, "k1").await.unwrap();

    // Hidden by sharing: a 404 NOT_FOUND, which queryAll does not confirm.
    double.controls().hide_contacts(&[&id]);
    let hidden = contacts.update(&id, &ada, "k2", None).await;
    assert!(matches!(&hidden, Err(SyncError::Missing { message }) if message.contains("does not say")), "{hidden:?}");
    assert!(matches!(contacts.delete(&id, "k3").await, Err(SyncError::Missing { .. })));
    double.controls().show_all_contacts();
    assert_eq!(double.controls().contact(&id).unwrap()["IsDeleted"], false, "nothing was deleted there either");

    // The field hidden (field-level security) or renamed: a create's 404 is no delete.
    double.controls().custom_fields(false);
    let made = contacts.create(&record("Bob Byte", "bob@example.com", 1), "k4").await;
    assert!(matches!(&made, Err(SyncError::Missing { message }) if message.contains("nothing was created")), "{made:?}");
    double.controls().custom_fields(true);

    // Merged into another Contact: the person lives on as the master.
    let master = double.controls().create_contact(&serde_json::json!({"LastName": "Master", "Email": "m@example.com"})).unwrap();
    double.controls().merge_contacts(&master, &[&id]).unwrap();
    let merged = contacts.update(&id, &ada, "k5", None).await;
    assert!(matches!(&merged, Err(SyncError::Merged { into, .. }) if *into == master), "{merged:?}");
    assert!(matches!(contacts.delete(&id, "k6").await, Err(SyncError::Merged { into, .. }) if into == master));
    double.stop().await;
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_quota_and_duplicates_are_told_apart() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double, DuplicateRule::Respect);
    let first = contacts.create(&record("First One", "one@example.com", 1), "k1").await.unwrap();
    double.controls().expire_tokens();
    contacts.create(&record("Second One", "two@example.com", 1), "k2").await.unwrap();

    // One match: that Contact is the customer (the engine links it).
    double.controls().duplicate_rule(true);
    let twin = contacts.create(&record("Twin One", "one@example.com", 1), "k3").await;
    assert!(matches!(&twin, Err(SyncError::Matched { existing, .. }) if *existing == first), "{twin:?}");
    let allowed = connector(&double, DuplicateRule::AllowSave);
    allowed.create(&record("Twin Two", "one@example.com", 1), "k4").await.unwrap();
    // Two matches: a visible refusal, no guess.
    let third = contacts.create(&record("Twin Three", "one@example.com", 1), "k6").await;
    assert!(matches!(&third, Err(SyncError::Permanent { message }) if message.contains("matched 2 Contacts")), "{third:?}");

    double.controls().spend_quota();
    let spent = contacts.create(&record("Late One", "late@example.com", 1), "k5").await;
    assert!(matches!(spent, Err(SyncError::Transient { retry_after: Some(_), .. })), "{spent:?}");
    double.controls().restore_quota();
    contacts.create(&record("Late One", "late@example.com", 1), "k5").await.unwrap();
    double.stop().await;
}

#[tokio::test]
async fn the_sync_slows_down_before_the_quota_runs_out() {
    let double = SalesforceDouble::start().await.unwrap();
    let credentials =
        Credentials { login_url: double.url().to_owned(), client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.to_owned().into() };
    let http = SalesforceHttp::new(credentials, "62.0", Duration::from_secs(5)).unwrap().with_quota_reserve(10);
    let fields = Fields { external_id: "Catalog_Sync_Id__c".into(), version: "Catalog_Sync_Version__c".into() };
    let contacts = SalesforceContacts::new(http, fields, DuplicateRule::Respect);

    double.controls().set_quota(95, 100);
    contacts.create(&record("Near The Wall", "wall@example.com", 1), "k1").await.unwrap();
    let held = contacts.create(&record("Past The Reserve", "past@example.com", 1), "k2").await;
    assert!(matches!(&held, Err(SyncError::Transient { retry_after: Some(_), message }) if message.contains("other apps")), "{held:?}");
    assert_eq!(double.controls().contacts().len(), 1, "the reserve was not spent");
    double.stop().await;
}

#[tokio::test]
async fn an_org_without_the_custom_fields_is_told_what_to_create() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double, DuplicateRule::Respect);
    contacts.preflight().await.unwrap();
    double.controls().custom_fields(false);
    match contacts.preflight().await {
        Err(SyncError::Permanent { message }) => {
            assert!(
                message.contains("Catalog_Sync_Id__c: Text(36), External ID, Unique") && message.contains("Catalog_Sync_Version__c"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    double.stop().await;
}

#[tokio::test]
async fn block_rules_refuse_even_allow_save_and_emails_salesforce_refuses_are_rejected_once() {
    use testkit::salesforce_double::{DuplicateAction, DuplicateMatching};
    let double = SalesforceDouble::start().await.unwrap();
    let allowed = connector(&double, DuplicateRule::AllowSave);
    let ada = allowed.create(&record("Ada Lovelace", "ada@example.com", 1), "k1").await.unwrap();
    double.controls().set_duplicate_rule(Some((DuplicateMatching::StandardContact, DuplicateAction::Block)));
    let blocked = allowed.create(&record("ADA lovelace", "Ada@Example.com", 1), "k2").await;
    assert!(matches!(&blocked, Err(SyncError::Matched { existing, .. }) if *existing == ada), "{blocked:?}");
    double.controls().set_duplicate_rule(None);

    // Longer than a Contact's Email holds: refused here, with no call.
    let calls = double.controls().calls().len();
    let long = format!("{}@example.com", "a".repeat(80));
    assert!(matches!(allowed.create(&record("Long Mail", &long, 1), "k3").await, Err(SyncError::Rejected { .. })));
    assert_eq!(double.controls().calls().len(), calls, "nothing sent");
    // Not an address Salesforce takes (a non-ASCII local part, without
    // Email Address Internationalization): refused by Salesforce, once.
    let refused = allowed.create(&record("Zoë Ümlaut", "zoë@example.com", 1), "k4").await;
    assert!(matches!(&refused, Err(SyncError::Rejected { message }) if message.contains("INVALID_EMAIL_ADDRESS")), "{refused:?}");
    double.stop().await;
}
