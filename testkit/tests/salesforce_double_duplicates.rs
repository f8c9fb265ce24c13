//! The Salesforce double's duplicate rules: the Standard Contact Matching
//! Rule's fuzzy names and exact email, Alert (bypassed by allowSave from
//! v52.0 only) and Block (never bypassed), on create, update and both
//! paths of upsert; people are never refused; and over `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use reqwest::Method;
use salesforce_session::{login, Answer, Session};
use serde_json::{json, Value};
use testkit::salesforce_double::{DuplicateAction, DuplicateMatching, DUPLICATE_RESULT_KEY, EXTERNAL_ID};
use testkit::SalesforceDouble;

const ALLOW: [(&str, &str); 1] = [("Sforce-Duplicate-Rule-Header", "allowSave=true; includeRecordDetails=false")];

async fn post(sf: &Session, version: &str, body: Value, headers: &[(&str, &str)]) -> Answer {
    sf.call(Method::POST, &format!("/services/data/{version}/sobjects/Contact"), Some(body), headers).await
}

fn matched(answer: &Answer) -> Vec<String> {
    let records = answer.body[0][DUPLICATE_RESULT_KEY]["matchResults"][0]["matchRecords"].as_array().unwrap();
    records.iter().map(|r| r["record"]["Id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_standard_rule_matches_fuzzy_names_with_the_same_email() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let ada = sf.create(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})).await;
    let twin = double.create_contact(&json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ADA@example.com"})).unwrap();
    double.set_duplicate_rule(Some((DuplicateMatching::StandardContact, DuplicateAction::Alert)));

    for (first, last) in [("ADA", "lovelace"), ("A.", "Lovelace"), ("Ada", "Lovleace"), ("", "Lovelace"), ("Lovelace", "Ada")] {
        let refused = post(&sf, "v62.0", json!({"FirstName": first, "LastName": last, "Email": "Ada@Example.com"}), &[]).await;
        assert_eq!((refused.status.as_u16(), refused.error_code()), (400, "DUPLICATES_DETECTED"), "{first} {last}");
        assert_eq!(matched(&refused), [ada.clone(), twin.clone()], "every match is listed");
        let result = &refused.body[0][DUPLICATE_RESULT_KEY];
        assert_eq!(
            (result["allowSave"].as_bool(), result["duplicateRule"].as_str()),
            (Some(true), Some("Standard_Contact_Duplicate_Rule"))
        );
    }
    for (first, last, email) in
        [("Grace", "Lovelace", "ada@example.com"), ("Ada", "Hopper", "ada@example.com"), ("Ada", "Lovelace", "other@example.com")]
    {
        let saved = post(&sf, "v62.0", json!({"FirstName": first, "LastName": last, "Email": email}), &[]).await;
        assert_eq!(saved.status, 201, "{first} {last} {email}: {}", saved.body);
    }
    assert_eq!(post(&sf, "v62.0", json!({"FirstName": "Ada", "LastName": "Lovelace"}), &[]).await.status, 201, "no email, no match");
    double.stop().await;
}

#[tokio::test]
async fn alert_yields_to_allow_save_from_v52_and_block_never() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    sf.create(json!({"LastName": "First", "Email": "same@example.com"})).await;
    let body = || json!({"LastName": "Second", "Email": "same@example.com"});
    double.set_duplicate_rule(Some((DuplicateMatching::EmailExact, DuplicateAction::Alert)));
    assert_eq!(post(&sf, "v51.0", body(), &ALLOW).await.error_code(), "DUPLICATES_DETECTED", "the header is ignored below v52.0");
    assert_eq!(post(&sf, "v52.0", body(), &ALLOW).await.status, 201);

    double.set_duplicate_rule(Some((DuplicateMatching::EmailExact, DuplicateAction::Block)));
    let blocked = post(&sf, "v62.0", body(), &ALLOW).await;
    assert_eq!((blocked.status.as_u16(), blocked.error_code()), (400, "DUPLICATES_DETECTED"));
    assert_eq!(blocked.body[0][DUPLICATE_RESULT_KEY]["allowSave"], false);
    assert!(double.create_contact(&body()).is_ok(), "a person is never refused");
    double.duplicate_rule(false);
    assert_eq!(post(&sf, "v62.0", body(), &[]).await.status, 201);
    double.stop().await;
}

#[tokio::test]
async fn the_rule_applies_to_updates_and_both_paths_of_upsert() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let ada = sf.create(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})).await;
    let other = sf.create(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "other@example.com"})).await;
    let upsert = |value: &str| format!("/sobjects/Contact/{EXTERNAL_ID}/{value}");
    let existing = sf.call(Method::PATCH, &upsert("u-1"), Some(json!({"LastName": "Turing", "Email": "alan@example.com"})), &[]).await;
    assert_eq!(existing.status, 201);
    double.set_duplicate_rule(Some((DuplicateMatching::StandardContact, DuplicateAction::Block)));

    let dup = || Some(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"}));
    let update = sf.call(Method::PATCH, &format!("/sobjects/Contact/{other}"), dup(), &ALLOW).await;
    assert_eq!((update.error_code(), matched(&update)), ("DUPLICATES_DETECTED", vec![ada.clone()]));
    let upsert_update = sf.call(Method::PATCH, &upsert("u-1"), dup(), &ALLOW).await;
    assert_eq!(upsert_update.error_code(), "DUPLICATES_DETECTED");
    let upsert_create = sf.call(Method::PATCH, &upsert("u-2"), dup(), &ALLOW).await;
    assert_eq!(upsert_create.error_code(), "DUPLICATES_DETECTED");
    let fine = sf.call(Method::PATCH, &format!("/sobjects/Contact/{ada}"), Some(json!({"Email": "ada@example.com"})), &[]).await;
    assert_eq!(fine.status, 204, "a record is no duplicate of itself");
    assert_eq!(double.contacts().len(), 3);
    double.stop().await;
}

#[tokio::test]
async fn the_duplicate_rule_over_http() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let http = reqwest::Client::new();
    let rule = format!("{}/_control/duplicate-rule", double.url());
    sf.create(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})).await;
    let fuzzy = || json!({"FirstName": "A", "LastName": "LOVELACE", "Email": "ada@example.com"});

    http.put(&rule).json(&json!({"on": true})).send().await.unwrap();
    assert_eq!(post(&sf, "v62.0", json!({"LastName": "X", "Email": "ada@example.com"}), &[]).await.error_code(), "DUPLICATES_DETECTED");
    http.put(&rule).json(&json!({"matching": "standard", "action": "block"})).send().await.unwrap();
    assert_eq!(post(&sf, "v62.0", json!({"LastName": "X", "Email": "ada@example.com"}), &ALLOW).await.status, 201, "names differ");
    assert_eq!(post(&sf, "v62.0", fuzzy(), &ALLOW).await.error_code(), "DUPLICATES_DETECTED");
    let wrong = http.put(&rule).json(&json!({"matching": "phonetic"})).send().await.unwrap();
    assert_eq!(wrong.status(), 400);
    http.put(&rule).json(&json!({"on": false})).send().await.unwrap();
    assert_eq!(post(&sf, "v62.0", fuzzy(), &[]).await.status, 201);
    double.stop().await;
}
