//! The Salesforce double's own clock (a skew drives stamps, `Date`,
//! `issued_at`, `/deleted/` and `If-Unmodified-Since`; stamps never go
//! back), the precision of `If-Unmodified-Since`, and API versions
//! (retired ones, upsert answers below v46.0); and over `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::Method;
use salesforce_session::{deleted_url, login, Answer};
use serde_json::{json, Value};
use testkit::salesforce_double::{self, CLIENT_ID, CLIENT_SECRET, EXTERNAL_ID};
use testkit::SalesforceDouble;

fn stamp(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_str(value.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.3f%z").unwrap().with_timezone(&Utc)
}

fn date_header(answer: &Answer) -> DateTime<Utc> {
    let dates: Vec<_> = answer.headers.get_all("date").iter().collect();
    assert_eq!(dates.len(), 1, "one Date, the org's: {dates:?}");
    DateTime::parse_from_rfc2822(dates[0].to_str().unwrap()).unwrap().with_timezone(&Utc)
}

fn near(at: DateTime<Utc>, expected: DateTime<Utc>) -> bool {
    (at - expected).abs() < TimeDelta::seconds(30)
}

#[tokio::test]
async fn a_skewed_org_stamps_dates_and_compares_by_its_own_clock() {
    let double = SalesforceDouble::start().await.unwrap();
    double.skew_clock(TimeDelta::hours(1));
    let ahead = Utc::now() + TimeDelta::hours(1);
    assert!(near(double.now(), ahead));
    let form = [("grant_type", "client_credentials"), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];
    let token: Value = reqwest::Client::new()
        .post(format!("{}/services/oauth2/token", double.url()))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let issued: i64 = token["issued_at"].as_str().unwrap().parse().unwrap();
    assert!(near(DateTime::from_timestamp_millis(issued).unwrap(), ahead), "issued_at");

    let sf = login(&double).await;
    let id = sf.create(json!({"LastName": "Skewed"})).await;
    let read = sf.get(&format!("/sobjects/Contact/{id}")).await;
    for field in ["SystemModstamp", "LastModifiedDate", "CreatedDate"] {
        assert!(near(stamp(&read.body[field]), ahead), "{field}: {}", read.body[field]);
    }
    assert!(near(date_header(&read), ahead), "the Date header");

    // Our clock is an hour behind the org's: a header from it is stale.
    let path = format!("/sobjects/Contact/{id}");
    let ours = salesforce_double::http_date(Utc::now() + TimeDelta::seconds(5));
    let stale = sf.call(Method::PATCH, &path, Some(json!({"FirstName": "Ours"})), &[("If-Unmodified-Since", &ours)]).await;
    assert_eq!(stale.status, 412, "the record changed 'after' our now");
    let theirs = sf.get(&path).await.headers["date"].to_str().unwrap().to_owned();
    let fresh = sf.call(Method::PATCH, &path, Some(json!({"FirstName": "Theirs"})), &[("If-Unmodified-Since", &theirs)]).await;
    assert_eq!(fresh.status, 204, "the server's own Date passes");

    double.delete_contact(&id).unwrap();
    let url = deleted_url(ahead - TimeDelta::minutes(5), ahead + TimeDelta::minutes(5));
    assert!(near(stamp(&sf.get(&url).await.body["deletedRecords"][0]["deletedDate"]), ahead));
    double.skew_clock(TimeDelta::days(16));
    let too_old = sf.get(&deleted_url(Utc::now() - TimeDelta::hours(1), Utc::now())).await;
    assert_eq!(too_old.error_code(), "INVALID_REPLICATION_DATE", "15 days back from the org's now");
    double.stop().await;
}

#[tokio::test]
async fn stamps_never_go_back_when_the_clock_does() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let first = sf.create(json!({"LastName": "First"})).await;
    let before = stamp(&double.contact(&first).unwrap()["SystemModstamp"]);
    double.skew_clock(TimeDelta::hours(-1));
    assert!(double.now() < before);
    sf.call(Method::PATCH, &format!("/sobjects/Contact/{first}"), Some(json!({"FirstName": "Again"})), &[]).await;
    let updated = stamp(&double.contact(&first).unwrap()["SystemModstamp"]);
    let second = sf.create(json!({"LastName": "Second"})).await;
    let created = stamp(&double.contact(&second).unwrap()["SystemModstamp"]);
    assert!(before < updated && updated < created, "{before} < {updated} < {created}");
    double.stop().await;
}

#[tokio::test]
async fn if_unmodified_since_to_the_second_or_to_the_millisecond() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let whole = DateTime::from_timestamp(Utc::now().timestamp() - 10, 0).unwrap();
    let id = double.create_contact_stamped(&json!({"LastName": "Half"}), whole + TimeDelta::milliseconds(500)).unwrap();
    let header = [("If-Unmodified-Since", salesforce_double::http_date(whole))];
    let header: Vec<(&str, &str)> = header.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let path = format!("/sobjects/Contact/{id}");

    double.precondition_precision(true);
    assert_eq!(sf.call(Method::PATCH, &path, Some(json!({"FirstName": "A"})), &header).await.status, 412, "10:00:00.500 > 10:00:00");
    let http = reqwest::Client::new();
    let setting = format!("{}/_control/precondition-precision", double.url());
    assert_eq!(http.put(&setting).json(&json!({"millis": false})).send().await.unwrap().status(), 200);
    assert_eq!(sf.call(Method::PATCH, &path, Some(json!({"FirstName": "B"})), &header).await.status, 204, "the same second passes");
    double.stop().await;
}

#[tokio::test]
async fn retired_versions_are_gone_and_old_upserts_answer_the_old_way() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    for version in ["v20.0", "v30.0"] {
        let gone = sf.get(&format!("/services/data/{version}/sobjects/Contact/describe")).await;
        assert_eq!(gone.status, 410, "{version}");
    }
    assert_eq!(sf.get("/services/data/v31.0/sobjects/Contact/describe").await.status, 200);

    let path = |version: &str| format!("/services/data/{version}/sobjects/Contact/{EXTERNAL_ID}/old-1");
    let created = sf.call(Method::PATCH, &path("v45.0"), Some(json!({"LastName": "Old"})), &[]).await;
    assert_eq!(created.status, 201);
    assert!(created.body.get("created").is_none() && created.body["id"].is_string(), "{}", created.body);
    let updated = sf.call(Method::PATCH, &path("v45.0"), Some(json!({"LastName": "Older"})), &[]).await;
    assert_eq!((updated.status.as_u16(), updated.body.clone()), (204, Value::Null), "no body below v46.0");
    let now = sf.call(Method::PATCH, &path("v46.0"), Some(json!({"LastName": "New"})), &[]).await;
    assert_eq!((now.status.as_u16(), now.body["created"].as_bool()), (200, Some(false)));
    double.stop().await;
}

#[tokio::test]
async fn the_clock_over_http() {
    let double = SalesforceDouble::start().await.unwrap();
    let http = reqwest::Client::new();
    let clock = format!("{}/_control/clock", double.url());
    let set: Value = http.put(&clock).json(&json!({"skewSeconds": -7200})).send().await.unwrap().json().await.unwrap();
    assert!(near(stamp(&set["now"]), Utc::now() - TimeDelta::hours(2)), "{set}");
    let read: Value = http.get(&clock).send().await.unwrap().json().await.unwrap();
    assert!(near(stamp(&read["now"]), Utc::now() - TimeDelta::hours(2)));
    assert_eq!(http.put(&clock).json(&json!({"skewSeconds": "soon"})).send().await.unwrap().status(), 400);
    double.stop().await;
}
