//! The Salesforce double over real HTTP: the token, Contact writes and
//! reads, upsert by external id, conditional updates, soft and hard deletes,
//! SOQL paging, and the errors a sync must map (401, 403, 400, 412).
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use chrono::{TimeDelta, Utc};
use reqwest::Method;
use salesforce_session::{ids, login, with_params, V};
use serde_json::{json, Value};
use testkit::salesforce_double::{self, CLIENT_ID};
use testkit::SalesforceDouble;

#[tokio::test]
async fn bad_credentials_are_an_oauth_error_and_a_missing_token_a_401() {
    let double = SalesforceDouble::start().await.unwrap();
    let http = reqwest::Client::new();
    let form = [("grant_type", "client_credentials"), ("client_id", CLIENT_ID), ("client_secret", "wrong")];
    let answer = http.post(format!("{}/services/oauth2/token", double.url())).form(&form).send().await.unwrap();
    assert_eq!(answer.status(), 400);
    assert_eq!(answer.json::<Value>().await.unwrap()["error"], "invalid_client");
    let anonymous = http.get(format!("{}{V}/sobjects/Contact/describe", double.url())).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.json::<Value>().await.unwrap()[0]["errorCode"], "INVALID_SESSION_ID");
    double.stop().await;
}

#[tokio::test]
async fn create_read_update_and_upsert_by_external_id() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let id = sf.create(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})).await;
    assert!(id.starts_with("003") && id.len() == 18, "{id}");

    let read = sf.get(&format!("/sobjects/Contact/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(
        (read.body["Id"].as_str(), read.body["LastName"].as_str(), read.body["IsDeleted"].as_bool()),
        (Some(id.as_str()), Some("Lovelace"), Some(false))
    );
    assert_eq!(read.body["attributes"]["type"], "Contact");
    let stamp = read.body["SystemModstamp"].as_str().unwrap();
    assert!(salesforce_double::format_datetime(Utc::now()).len() == stamp.len() && stamp.ends_with("+0000"), "{stamp}");
    let some = sf.get(&format!("/sobjects/Contact/{id}?fields=Email,Catalog_Sync_Id__c")).await;
    assert_eq!(some.body.as_object().unwrap().len(), 3, "attributes and the two fields: {}", some.body);
    assert_eq!(sf.get("/sobjects/Contact/003Hs0000009999AAA").await.error_code(), "NOT_FOUND");

    let patched = sf.call(Method::PATCH, &format!("/sobjects/Contact/{id}"), Some(json!({"FirstName": "Augusta"})), &[]).await;
    assert_eq!(patched.status, 204);
    let after = sf.get(&format!("/sobjects/Contact/{id}")).await.body;
    assert_eq!(after["FirstName"], "Augusta");
    assert!(after["SystemModstamp"].as_str().unwrap() > stamp, "every write moves the stamp");

    let path = "/sobjects/Contact/Catalog_Sync_Id__c/11111111-2222-3333-4444-555555555555";
    let first = sf.call(Method::PATCH, path, Some(json!({"LastName": "Hopper", "Catalog_Sync_Version__c": 1})), &[]).await;
    assert_eq!((first.status.as_u16(), first.body["created"].as_bool()), (201, Some(true)));
    let again = sf.call(Method::PATCH, path, Some(json!({"LastName": "Hopper", "Catalog_Sync_Version__c": 2})), &[]).await;
    assert_eq!((again.status.as_u16(), again.body["created"].as_bool()), (200, Some(false)));
    assert_eq!(again.body["id"], first.body["id"], "the same Contact: a retried create is no second one");
    let carrying_id = sf.call(Method::PATCH, path, Some(json!({"LastName": "H", "Catalog_Sync_Id__c": "x"})), &[]).await;
    assert_eq!((carrying_id.status.as_u16(), carrying_id.error_code()), (400, "INVALID_FIELD"));

    // A person who bypasses the unique check makes two matches: 300.
    double.create_contact(&json!({"LastName": "Twin", "Catalog_Sync_Id__c": "11111111-2222-3333-4444-555555555555"})).unwrap();
    let ambiguous = sf.call(Method::PATCH, path, Some(json!({"LastName": "Hopper"})), &[]).await;
    assert_eq!(ambiguous.status, 300);
    assert_eq!(ambiguous.body.as_array().unwrap().len(), 2);
    assert_eq!(double.writes(), 4, "create, patch and two upserts: {:?}", double.calls());
    double.stop().await;
}

#[tokio::test]
async fn if_unmodified_since_refuses_an_update_over_a_later_change() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let id = sf.create(json!({"LastName": "Conditional"})).await;
    let before = salesforce_double::http_date(Utc::now() - TimeDelta::seconds(5));
    let after = salesforce_double::http_date(Utc::now() + TimeDelta::seconds(5));
    let path = format!("/sobjects/Contact/{id}");
    let stale = sf.call(Method::PATCH, &path, Some(json!({"FirstName": "Late"})), &[("If-Unmodified-Since", &before)]).await;
    assert_eq!(stale.status, 412);
    let fresh = sf.call(Method::PATCH, &path, Some(json!({"FirstName": "Fresh"})), &[("If-Unmodified-Since", &after)]).await;
    assert_eq!(fresh.status, 204);
    assert_eq!(double.contact(&id).unwrap()["FirstName"], "Fresh");
    let garbled = sf.call(Method::PATCH, &path, Some(json!({"FirstName": "X"})), &[("If-Unmodified-Since", "yesterday")]).await;
    assert_eq!(garbled.status, 400, "an invalid header value is a 400, as Salesforce documents");
    double.stop().await;
}

#[tokio::test]
async fn a_soft_delete_shows_in_query_all_and_deleted_but_not_in_query() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let start = Utc::now() - TimeDelta::minutes(5);
    let kept = sf.create(json!({"LastName": "Kept"})).await;
    let gone = sf.create(json!({"LastName": "Gone"})).await;
    let path = format!("/sobjects/Contact/{gone}");
    assert_eq!(sf.call(Method::DELETE, &path, None, &[]).await.status, 204);
    assert_eq!(sf.call(Method::DELETE, &path, None, &[]).await.error_code(), "ENTITY_IS_DELETED");
    assert_eq!(sf.get(&path).await.status, 404);

    let q = "SELECT Id, IsDeleted FROM Contact ORDER BY SystemModstamp, Id";
    assert_eq!(ids(&sf.query("query", q).await), [kept.as_str()]);
    let all = sf.query("queryAll", q).await;
    assert_eq!(ids(&all), [kept.clone(), gone.clone()]);
    assert_eq!(all.body["records"][1]["IsDeleted"], true);

    let (start, end) = (salesforce_double::format_datetime(start), salesforce_double::format_datetime(Utc::now() + TimeDelta::minutes(5)));
    let url = with_params("/sobjects/Contact/deleted/", &[("start", &start), ("end", &end)]);
    let deleted = sf.get(&url).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.body["deletedRecords"][0]["id"], gone.as_str());
    assert!(deleted.body["earliestDateAvailable"].is_string() && deleted.body["latestDateCovered"].is_string());

    // Emptying the recycle bin: a hard delete, gone from queryAll, still in /deleted/.
    assert_eq!(double.empty_recycle_bin(), 1);
    assert_eq!(ids(&sf.query("queryAll", q).await), [kept]);
    assert_eq!(sf.get(&url).await.body["deletedRecords"].as_array().unwrap().len(), 1);
    double.stop().await;
}

#[tokio::test]
async fn queries_page_with_next_records_url_and_refuse_other_shapes() {
    let double = SalesforceDouble::start().await.unwrap();
    double.page_size(2);
    let sf = login(&double).await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(sf.create(json!({"LastName": format!("Paged {i}"), "Email": format!("p{i}@example.com")})).await);
    }
    let since = salesforce_double::format_datetime(Utc::now() - TimeDelta::minutes(1));
    let q = format!("SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= {since} ORDER BY SystemModstamp, Id LIMIT 100");
    let mut page = sf.query("queryAll", &q).await;
    assert_eq!((page.body["totalSize"].as_u64(), page.body["done"].as_bool()), (Some(5), Some(false)));
    let mut seen = ids(&page);
    while let Some(next) = page.body["nextRecordsUrl"].as_str().map(str::to_owned) {
        assert!(next.starts_with(&format!("{V}/query/")), "{next}");
        page = sf.get(&next).await;
        seen.extend(ids(&page));
    }
    assert_eq!(page.body["done"], true);
    assert_eq!(seen, created, "every record once, in (SystemModstamp, Id) order");

    let by_email = sf.query("query", "SELECT Id FROM Contact WHERE Email = 'P3@example.com'").await;
    assert_eq!(ids(&by_email), [created[3].clone()]);
    let limited = sf.query("query", "SELECT Id FROM Contact ORDER BY SystemModstamp, Id LIMIT 1").await;
    assert_eq!((limited.body["totalSize"].as_u64(), limited.body["done"].as_bool()), (Some(1), Some(true)));

    let malformed = sf.query("query", "SELECT Id FROM Contact WHERE LastName LIKE 'P%'").await;
    assert_eq!((malformed.status.as_u16(), malformed.error_code()), (400, "MALFORMED_QUERY"));
    let unknown = sf.query("query", "SELECT Id, Nickname FROM Contact").await;
    assert_eq!((unknown.status.as_u16(), unknown.error_code()), (400, "INVALID_FIELD"));
    double.stop().await;
}

#[tokio::test]
async fn an_expired_token_is_a_401_until_a_new_login() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 200);
    double.expire_tokens();
    let expired = sf.get("/sobjects/Contact/describe").await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.body, json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}]));
    let renewed = login(&double).await;
    assert_eq!(renewed.get("/sobjects/Contact/describe").await.status, 200);
    double.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_quota_and_a_spent_quota_is_a_403() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let first = sf.get("/sobjects/Contact/describe").await;
    assert_eq!(first.limit.as_deref(), Some("api-usage=1/15000"));
    assert_eq!(sf.get("/sobjects/Contact/describe").await.limit.as_deref(), Some("api-usage=2/15000"));
    double.spend_quota();
    let refused = sf.get("/sobjects/Contact/describe").await;
    assert_eq!((refused.status.as_u16(), refused.error_code()), (403, "REQUEST_LIMIT_EXCEEDED"));
    assert_eq!(refused.limit.as_deref(), Some("api-usage=15000/15000"));
    double.restore_quota();
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 200);
    double.stop().await;
}
