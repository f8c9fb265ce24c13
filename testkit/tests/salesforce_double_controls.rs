//! The Salesforce double's test controls: a person's edits, a late commit,
//! queued failures, the duplicate rule, an org without the custom fields,
//! and the same controls over HTTP under `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use chrono::{TimeDelta, Utc};
use reqwest::Method;
use salesforce_session::{ids, login};
use serde_json::{json, Value};
use testkit::salesforce_double::{self, DUPLICATE_RESULT_KEY, EXTERNAL_ID};
use testkit::SalesforceDouble;

#[tokio::test]
async fn the_duplicate_rule_on_email_blocks_unless_allow_save() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let first = sf.create(json!({"LastName": "First", "Email": "same@example.com"})).await;
    let other = sf.create(json!({"LastName": "Other", "Email": "other@example.com"})).await;
    sf.create(json!({"LastName": "Off", "Email": "same@example.com"})).await;
    double.duplicate_rule(true);

    let create = sf.call(Method::POST, "/sobjects/Contact", Some(json!({"LastName": "Dup", "Email": "SAME@example.com"})), &[]).await;
    assert_eq!((create.status.as_u16(), create.error_code()), (400, "DUPLICATES_DETECTED"));
    // Salesforce's REST answer spells the key `duplicateResut` (DUPLICATE_RESULT_KEY).
    let matched = &create.body[0][DUPLICATE_RESULT_KEY]["matchResults"][0]["matchRecords"][0]["record"]["Id"];
    assert_eq!(matched, first.as_str());
    let update = sf.call(Method::PATCH, &format!("/sobjects/Contact/{other}"), Some(json!({"Email": "same@example.com"})), &[]).await;
    assert_eq!(update.error_code(), "DUPLICATES_DETECTED");
    let upsert = sf
        .call(
            Method::PATCH,
            &format!("/sobjects/Contact/{EXTERNAL_ID}/u1"),
            Some(json!({"LastName": "U", "Email": "same@example.com"})),
            &[],
        )
        .await;
    assert_eq!(upsert.error_code(), "DUPLICATES_DETECTED");
    let allowed = [("Sforce-Duplicate-Rule-Header", "allowSave=true")];
    let saved = sf.call(Method::POST, "/sobjects/Contact", Some(json!({"LastName": "Dup", "Email": "same@example.com"})), &allowed).await;
    assert_eq!(saved.status, 201);
    assert_eq!(double.contacts().len(), 4, "nothing written by the refused calls");
    double.stop().await;
}

#[tokio::test]
async fn a_late_commit_is_stamped_before_the_newest_record_seen() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    sf.create(json!({"LastName": "Early"})).await;
    let newest = sf.create(json!({"LastName": "Newest"})).await;
    let cursor = sf.get(&format!("/sobjects/Contact/{newest}")).await.body["SystemModstamp"].as_str().unwrap().to_owned();
    let cursor_at = chrono::DateTime::parse_from_str(&cursor, "%Y-%m-%dT%H:%M:%S%.3f%z").unwrap().with_timezone(&Utc);

    let late = double.create_contact_stamped(&json!({"LastName": "Late"}), cursor_at - TimeDelta::seconds(30)).unwrap();
    let after_cursor =
        sf.query("queryAll", &format!("SELECT Id FROM Contact WHERE SystemModstamp > {cursor} ORDER BY SystemModstamp, Id")).await;
    assert!(ids(&after_cursor).is_empty(), "a poll from the cursor alone misses it");
    let overlap = salesforce_double::format_datetime(cursor_at - TimeDelta::minutes(1));
    let window = sf
        .query("queryAll", &format!("SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= {overlap} ORDER BY SystemModstamp, Id"))
        .await;
    assert_eq!(ids(&window).first(), Some(&late), "an overlap window finds it, ordered by its stamp");
    assert!(window.body["records"][0]["SystemModstamp"].as_str().unwrap() < cursor.as_str());
    double.stop().await;
}

#[tokio::test]
async fn a_person_s_edits_are_stamped_but_cost_no_quota_and_are_not_logged() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let client = [("Sforce-Call-Options", "client=catalog-sync")];
    let created = sf.call(Method::POST, "/sobjects/Contact", Some(json!({"LastName": "Ours"})), &client).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let ours = double.contact(&id).unwrap();

    double.update_contact(&id, &json!({"FirstName": "Theirs"})).unwrap();
    let theirs = double.contact(&id).unwrap();
    assert!(theirs["SystemModstamp"].as_str() > ours["SystemModstamp"].as_str());
    assert_ne!(theirs["LastModifiedById"], ours["LastModifiedById"], "a person is not the API user");
    double.delete_contact(&id).unwrap();
    assert_eq!(double.contact(&id).unwrap()["IsDeleted"], true);

    assert_eq!(double.api_usage(), (1, salesforce_double::DEFAULT_QUOTA));
    let calls = double.calls();
    assert_eq!(calls.iter().filter(|c| c.path.starts_with("/services/data")).count(), 1);
    assert_eq!(calls.last().unwrap().client.as_deref(), Some("catalog-sync"));
    assert_eq!(double.writes(), 1);
    double.stop().await;
}

#[tokio::test]
async fn queued_failures_answer_instead_and_change_nothing() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    double.fail_next_writes(2, 500, "UNABLE_TO_LOCK_ROW");
    let body = || Some(json!({"LastName": "Locked"}));
    assert_eq!(sf.call(Method::POST, "/sobjects/Contact", body(), &[]).await.error_code(), "UNABLE_TO_LOCK_ROW");
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 200, "reads go through");
    let second = sf.call(Method::POST, "/sobjects/Contact", body(), &[]).await;
    assert_eq!((second.status.as_u16(), second.error_code()), (500, "UNABLE_TO_LOCK_ROW"));
    assert!(double.contacts().is_empty());
    sf.create(json!({"LastName": "Locked"})).await;

    double.fail_next(1, 503, "SERVER_UNAVAILABLE");
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 503);
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 200);
    double.stop().await;
}

#[tokio::test]
async fn an_org_without_the_custom_fields_says_so() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let has = |describe: &Value, name: &str| describe["fields"].as_array().unwrap().iter().any(|f| f["name"] == name);
    let full = sf.get("/sobjects/Contact/describe").await.body;
    assert!(has(&full, EXTERNAL_ID) && has(&full, salesforce_double::VERSION));
    double.custom_fields(false);
    let bare = sf.get("/sobjects/Contact/describe").await.body;
    assert!(!has(&bare, EXTERNAL_ID) && !has(&bare, salesforce_double::VERSION) && has(&bare, "Email"));
    let upsert = sf.call(Method::PATCH, &format!("/sobjects/Contact/{EXTERNAL_ID}/x"), Some(json!({"LastName": "X"})), &[]).await;
    assert_eq!((upsert.status.as_u16(), upsert.error_code()), (404, "NOT_FOUND"));
    let create = sf.call(Method::POST, "/sobjects/Contact", Some(json!({"LastName": "X", EXTERNAL_ID: "x"})), &[]).await;
    assert_eq!((create.status.as_u16(), create.error_code()), (400, "INVALID_FIELD"));
    double.stop().await;
}

#[tokio::test]
async fn the_controls_work_over_http_too() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let http = reqwest::Client::new();
    let control = |path: &str| format!("{}/_control{path}", double.url());

    let created: Value = http
        .post(control("/contacts"))
        .json(&json!({"LastName": "Curl", "Email": "curl@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let edited = http.patch(control(&format!("/contacts/{id}"))).json(&json!({"FirstName": "Via"})).send().await.unwrap();
    assert_eq!(edited.status(), 200);
    assert_eq!(sf.get(&format!("/sobjects/Contact/{id}")).await.body["FirstName"], "Via");
    let stamp = "2026-01-01T00:00:00.000+0000";
    let late: Value = http
        .post(control("/contacts"))
        .query(&[("stamp", stamp)])
        .json(&json!({"LastName": "Late"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(double.contact(late["id"].as_str().unwrap()).unwrap()["SystemModstamp"], stamp);

    http.post(control("/quota/spend")).send().await.unwrap();
    assert_eq!(sf.get("/sobjects/Contact/describe").await.error_code(), "REQUEST_LIMIT_EXCEEDED");
    http.post(control("/quota/restore")).send().await.unwrap();
    http.post(control("/failures")).json(&json!({"times": 1, "status": 503, "errorCode": "SERVER_UNAVAILABLE"})).send().await.unwrap();
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 503);
    http.put(control("/duplicate-rule")).json(&json!({"on": true})).send().await.unwrap();
    let dup = sf.call(Method::POST, "/sobjects/Contact", Some(json!({"LastName": "D", "Email": "curl@example.com"})), &[]).await;
    assert_eq!(dup.error_code(), "DUPLICATES_DETECTED");
    http.post(control("/tokens/expire")).send().await.unwrap();
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 401);

    let contacts: Value = http.get(control("/contacts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(contacts.as_array().unwrap().len(), 2);
    let calls: Value = http.get(control("/calls")).send().await.unwrap().json().await.unwrap();
    assert_eq!(calls["writes"], 0, "only the control wrote: {calls}");
    double.stop().await;
}
