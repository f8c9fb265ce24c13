//! The Salesforce double's sharing: records hidden from the API user are
//! not found, not queried, no upsert match, and their deletes are not
//! listed, while people still see them; and the same over `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use chrono::{TimeDelta, Utc};
use reqwest::Method;
use salesforce_session::{deleted_ids, deleted_url, ids, login};
use serde_json::json;
use testkit::salesforce_double::EXTERNAL_ID;
use testkit::SalesforceDouble;

#[tokio::test]
async fn a_hidden_record_is_not_found_by_id_nor_by_query() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let seen = sf.create(json!({"LastName": "Seen"})).await;
    let hidden = sf.create(json!({"LastName": "Hidden", "Email": "hidden@example.com"})).await;
    double.hide_contacts(&[&hidden]);

    let path = format!("/sobjects/Contact/{hidden}");
    for (method, body) in [(Method::GET, None), (Method::PATCH, Some(json!({"FirstName": "X"}))), (Method::DELETE, None)] {
        let answer = sf.call(method.clone(), &path, body, &[]).await;
        assert_eq!((answer.status.as_u16(), answer.error_code()), (404, "NOT_FOUND"), "{method}");
    }
    for kind in ["query", "queryAll"] {
        assert_eq!(ids(&sf.query(kind, "SELECT Id FROM Contact").await), [seen.as_str()], "{kind}");
        let by_id = sf.query(kind, &format!("SELECT Id FROM Contact WHERE Id IN ('{seen}', '{hidden}')")).await;
        assert_eq!(ids(&by_id), [seen.as_str()], "{kind}: Id IN");
        assert!(ids(&sf.query(kind, &format!("SELECT Id FROM Contact WHERE Id = '{hidden}'")).await).is_empty());
        assert!(ids(&sf.query(kind, "SELECT Id FROM Contact WHERE Email = 'hidden@example.com'").await).is_empty());
    }

    // A person still sees and edits it; the API user still does not.
    double.update_contact(&hidden, &json!({"FirstName": "Edited"})).unwrap();
    assert_eq!(double.contact(&hidden).unwrap()["FirstName"], "Edited");
    assert_eq!(sf.get(&path).await.status, 404);
    double.show_all_contacts();
    assert_eq!(sf.get(&path).await.body["FirstName"], "Edited");
    double.stop().await;
}

#[tokio::test]
async fn an_upsert_does_not_match_a_hidden_record_and_meets_the_unique_index() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let path = format!("/sobjects/Contact/{EXTERNAL_ID}/hidden-1");
    let first = sf.call(Method::PATCH, &path, Some(json!({"LastName": "Owner"})), &[]).await;
    let id = first.body["id"].as_str().unwrap().to_owned();
    double.hide_contacts(&[&id]);

    let again = sf.call(Method::PATCH, &path, Some(json!({"LastName": "Owner"})), &[]).await;
    assert_eq!((again.status.as_u16(), again.error_code()), (400, "DUPLICATE_VALUE"), "{}", again.body);
    assert!(again.body[0]["message"].as_str().unwrap().contains(&id), "the index names the record: {}", again.body);
    assert_eq!(sf.get(&path).await.error_code(), "NOT_FOUND", "GET by external id does not see it either");
    assert_eq!(double.contacts().len(), 1, "nothing created");
    double.stop().await;
}

#[tokio::test]
async fn hide_all_covers_people_s_new_records_but_not_the_api_s_own() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let before = sf.create(json!({"LastName": "Before"})).await;
    double.hide_all_contacts();
    let by_person = double.create_contact(&json!({"LastName": "Person"})).unwrap();
    let by_api = sf.create(json!({"LastName": "Api"})).await;
    assert_eq!(ids(&sf.query("queryAll", "SELECT Id FROM Contact").await), [by_api]);
    for id in [&before, &by_person] {
        assert_eq!(sf.get(&format!("/sobjects/Contact/{id}")).await.status, 404);
    }
    double.show_all_contacts();
    let after = double.create_contact(&json!({"LastName": "After"})).unwrap();
    assert_eq!(sf.query("query", "SELECT Id FROM Contact").await.body["totalSize"], 4, "{after} and all before it");
    double.stop().await;
}

#[tokio::test]
async fn the_delete_of_a_hidden_record_is_not_listed_unless_asked() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let (kept, gone) = (sf.create(json!({"LastName": "Kept"})).await, sf.create(json!({"LastName": "Gone"})).await);
    double.delete_contact(&kept).unwrap();
    double.delete_contact(&gone).unwrap();
    double.hide_contacts(&[&gone]);
    let url = deleted_url(Utc::now() - TimeDelta::minutes(5), Utc::now() + TimeDelta::minutes(5));
    assert_eq!(deleted_ids(&sf.get(&url).await), [kept.as_str()], "getDeleted: only records the user has access to");
    assert_eq!(ids(&sf.query("queryAll", "SELECT Id FROM Contact").await), [kept.as_str()]);
    double.deleted_lists_hidden(true);
    assert_eq!(deleted_ids(&sf.get(&url).await), [kept, gone]);
    double.stop().await;
}

#[tokio::test]
async fn sharing_over_http() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let http = reqwest::Client::new();
    let sharing = format!("{}/_control/sharing", double.url());
    let (a, b) = (sf.create(json!({"LastName": "A"})).await, sf.create(json!({"LastName": "B"})).await);

    assert_eq!(http.put(&sharing).json(&json!({"hidden": [a]})).send().await.unwrap().status(), 200);
    assert_eq!(ids(&sf.query("query", "SELECT Id FROM Contact").await), [b.as_str()]);
    http.put(&sharing).json(&json!({"hideAll": true})).send().await.unwrap();
    assert!(ids(&sf.query("query", "SELECT Id FROM Contact").await).is_empty());
    let person: serde_json::Value = http
        .post(format!("{}/_control/contacts", double.url()))
        .json(&json!({"LastName": "P"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sf.get(&format!("/sobjects/Contact/{}", person["id"].as_str().unwrap())).await.status, 404);
    http.put(&sharing).json(&json!({"showAll": true})).send().await.unwrap();
    assert_eq!(sf.query("query", "SELECT Id FROM Contact").await.body["totalSize"], 3);

    http.put(format!("{}/_control/deleted/lists-hidden", double.url())).json(&json!({"on": true})).send().await.unwrap();
    double.delete_contact(&a).unwrap();
    http.put(&sharing).json(&json!({"hidden": [a]})).send().await.unwrap();
    let url = deleted_url(Utc::now() - TimeDelta::minutes(5), Utc::now() + TimeDelta::minutes(5));
    assert_eq!(deleted_ids(&sf.get(&url).await), [a]);
    double.stop().await;
}
