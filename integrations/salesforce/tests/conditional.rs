//! Updates carry `If-Unmodified-Since`: an edit made in Salesforce after
//! ours is the later one and wins (412, `Superseded`), while a resend of our
//! own write that had landed is recognised as ours, not as an edit there.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use customer_catalog::CustomerRecord;
use customer_catalog::Customers;
use salesforce_integration::client::{Credentials, SalesforceHttp};
use salesforce_integration::contacts::{DuplicateRule, Fields, SalesforceContacts};
use serde_json::json;
use sync_core::{Catalog, Connector, Precondition, SyncError};
use testkit::salesforce_double::{CLIENT_ID, CLIENT_SECRET};
use testkit::SalesforceDouble;
use uuid::Uuid;

fn connector(double: &SalesforceDouble) -> SalesforceContacts {
    let credentials =
        Credentials { login_url: double.url().to_owned(), client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.to_owned().into() };
    let http = SalesforceHttp::new(credentials, "62.0", Duration::from_secs(5)).unwrap();
    let fields = Fields { external_id: "Catalog_Sync_Id__c".into(), version: "Catalog_Sync_Version__c".into() };
    SalesforceContacts::new(http, fields, DuplicateRule::Respect)
}

/// Meant only if the Contact did not change after `at`; nothing known of ours.
fn since(at: chrono::DateTime<Utc>) -> Precondition {
    Precondition { since: at, ours: None }
}

/// As the engine sends it: after `at`, and what our write of `record` left.
fn after_ours(at: chrono::DateTime<Utc>, record: &CustomerRecord) -> Precondition {
    Precondition { since: at, ours: Some((record.version, <Customers as Catalog>::fingerprint(record))) }
}

async fn contact_of(contacts: &SalesforceContacts, name: &str) -> (String, CustomerRecord) {
    let record = CustomerRecord { id: Uuid::now_v7(), version: 1, name: name.into(), email: format!("{}@example.com", Uuid::now_v7()) };
    (contacts.create(&record, "k1").await.unwrap(), record)
}

#[tokio::test]
async fn an_edit_made_in_salesforce_after_ours_wins_and_ours_is_not_written() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double);
    let (id, mut ada) = contact_of(&contacts, "Ada Lovelace").await;
    let edited_here = Utc::now() - TimeDelta::seconds(10);
    double.controls().update_contact(&id, &json!({"FirstName": "Augusta"})).unwrap();

    ada.name = "Countess Lovelace".into();
    ada.version = 2;
    let answer = contacts.update(&id, &ada, "k2", Some(&since(edited_here))).await;

    assert!(matches!(&answer, Err(SyncError::Superseded { message }) if message.contains("412")), "{answer:?}");
    let held = double.controls().contact(&id).unwrap();
    assert_eq!((&held["FirstName"], &held["Catalog_Sync_Version__c"]), (&json!("Augusta"), &json!(1)), "{held}");
    double.stop().await;
}

#[tokio::test]
async fn an_edit_here_later_than_salesforces_is_written() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double);
    let (id, mut ada) = contact_of(&contacts, "Ada Lovelace").await;
    double.controls().update_contact(&id, &json!({"FirstName": "Augusta"})).unwrap();

    ada.name = "Countess Lovelace".into();
    ada.version = 2;
    contacts.update(&id, &ada, "k2", Some(&since(Utc::now() + TimeDelta::seconds(1)))).await.unwrap();

    assert_eq!(double.controls().contact(&id).unwrap()["FirstName"], "Countess");
    double.stop().await;
}

#[tokio::test]
async fn a_resend_of_our_own_write_that_landed_is_ours_not_an_edit_there() {
    let double = SalesforceDouble::start().await.unwrap();
    let contacts = connector(&double);
    let mut ada = CustomerRecord { id: Uuid::now_v7(), version: 1, name: "Ada Lovelace".into(), email: "ada@example.com".into() };
    let fields =
        json!({"LastName": "Lovelace", "FirstName": "Ada", "Email": ada.email, "Catalog_Sync_Id__c": ada.id, "Catalog_Sync_Version__c": 1});
    let id = double.controls().create_contact_stamped(&fields, Utc::now() - TimeDelta::seconds(60)).unwrap();
    let edited_here = Utc::now() - TimeDelta::seconds(30);
    ada.name = "Countess Lovelace".into();
    ada.version = 2;
    // The first send landed (its answer lost, say): the Contact changed
    // after the edit, by our own hand.
    contacts.update(&id, &ada, "k2", Some(&since(edited_here))).await.unwrap();

    contacts.update(&id, &ada, "k2", Some(&since(edited_here))).await.unwrap();

    // Once the Contact holds anything else, the same resend is superseded.
    double.controls().update_contact(&id, &json!({"Email": "augusta@example.com"})).unwrap();
    let answer = contacts.update(&id, &ada, "k2", Some(&since(edited_here))).await;
    assert!(matches!(answer, Err(SyncError::Superseded { .. })), "{answer:?}");
    assert_eq!(double.controls().contact(&id).unwrap()["Email"], "augusta@example.com");
    double.stop().await;
}

#[tokio::test]
async fn our_second_edit_is_written_though_salesforces_clock_runs_minutes_ahead_of_ours() {
    let double = SalesforceDouble::start().await.unwrap();
    double.controls().skew_clock(TimeDelta::minutes(3));
    let contacts = connector(&double);
    let (id, mut ada) = contact_of(&contacts, "Ada Lovelace").await;

    // Edited here right after our create was answered: on our clock, a time
    // Salesforce's stamps of three minutes ahead look older than our write.
    let first = ada.clone();
    ada.name = "Countess Lovelace".into();
    ada.version = 2;
    contacts.update(&id, &ada, "k2", Some(&after_ours(Utc::now(), &first))).await.unwrap();

    assert_eq!(double.controls().contact(&id).unwrap()["FirstName"], "Countess");
    double.stop().await;
}

#[tokio::test]
async fn our_second_edit_is_written_when_salesforce_compares_milliseconds_and_a_persons_still_wins() {
    let double = SalesforceDouble::start().await.unwrap();
    double.controls().precondition_precision(true);
    let contacts = connector(&double);
    let (id, mut ada) = contact_of(&contacts, "Ada Lovelace").await;
    // Our create's stamp has milliseconds past the second our edit is dated to.
    let edited_here = Utc::now() - TimeDelta::milliseconds(1);
    let first = ada.clone();
    ada.name = "Countess Lovelace".into();
    ada.version = 2;
    contacts.update(&id, &ada, "k2", Some(&after_ours(edited_here, &first))).await.unwrap();
    assert_eq!(double.controls().contact(&id).unwrap()["FirstName"], "Countess");

    // A person's edit after ours: the Contact holds something else, and wins.
    double.controls().update_contact(&id, &json!({"LastName": "Byron"})).unwrap();
    let second = ada.clone();
    ada.name = "Ada King".into();
    ada.version = 3;
    let answer = contacts.update(&id, &ada, "k3", Some(&after_ours(edited_here, &second))).await;
    assert!(matches!(answer, Err(SyncError::Superseded { .. })), "{answer:?}");
    assert_eq!(double.controls().contact(&id).unwrap()["LastName"], "Byron");
    double.stop().await;
}
