//! The Salesforce double's `/sobjects/Contact/deleted/`: a window of more
//! than a minute, an administrator's purge of the delete log, the id
//! limit, a `latestDateCovered` held by a long transaction, emptying the
//! recycle bin with or without a purge, and the same over `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use salesforce_session::{deleted_ids, deleted_url, login, Session};
use serde_json::json;
use testkit::salesforce_double::{self, DEFAULT_ID_LIMIT};
use testkit::SalesforceDouble;

fn minute(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap()
}

fn at(answer: &salesforce_session::Answer, field: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(answer.body[field].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.3f%z").unwrap().with_timezone(&Utc)
}

async fn deleted_contact(double: &SalesforceDouble, sf: &Session, name: &str) -> String {
    let id = sf.create(json!({"LastName": name})).await;
    double.delete_contact(&id).unwrap();
    id
}

#[tokio::test]
async fn start_must_precede_end_by_more_than_a_minute() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let start = minute(Utc::now()) - TimeDelta::minutes(10);
    for end in [start, start + TimeDelta::minutes(1), start + TimeDelta::seconds(119)] {
        let refused = sf.get(&deleted_url(start, end)).await;
        assert_eq!((refused.status.as_u16(), refused.error_code()), (400, "INVALID_REPLICATION_DATE"), "{end}");
    }
    assert_eq!(sf.get(&deleted_url(start, start + TimeDelta::minutes(2))).await.status, 200);
    double.stop().await;
}

#[tokio::test]
async fn a_purged_delete_log_refuses_an_earlier_start_and_forgets_older_deletes() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let before = deleted_contact(&double, &sf, "Before").await;
    let start = Utc::now() - TimeDelta::minutes(5);
    // Two minutes on, so the purge's minute is after the delete above.
    double.skew_clock(TimeDelta::minutes(2));
    double.purge_delete_log();
    let now = double.now();

    let refused = sf.get(&deleted_url(start, now + TimeDelta::minutes(5))).await;
    assert_eq!((refused.status.as_u16(), refused.error_code()), (400, "INVALID_REPLICATION_DATE"));
    let earliest = salesforce_double::format_datetime(minute(now));
    assert!(refused.body[0]["message"].as_str().unwrap().contains(&earliest), "names where to restart: {}", refused.body);

    let after = deleted_contact(&double, &sf, "After").await;
    let restarted = sf.get(&deleted_url(minute(now), now + TimeDelta::minutes(5))).await;
    assert_eq!(at(&restarted, "earliestDateAvailable"), minute(now));
    assert_eq!(deleted_ids(&restarted), [after], "{before} was purged");
    double.stop().await;
}

#[tokio::test]
async fn more_ids_than_the_limit_is_exceeded_id_limit() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    deleted_contact(&double, &sf, "One").await;
    deleted_contact(&double, &sf, "Two").await;
    let url = deleted_url(Utc::now() - TimeDelta::minutes(5), Utc::now() + TimeDelta::minutes(5));
    double.deleted_id_limit(1);
    let refused = sf.get(&url).await;
    assert_eq!((refused.status.as_u16(), refused.error_code()), (400, "EXCEEDED_ID_LIMIT"));
    double.deleted_id_limit(2);
    assert_eq!(deleted_ids(&sf.get(&url).await).len(), 2);
    double.deleted_id_limit(DEFAULT_ID_LIMIT);
    double.stop().await;
}

#[tokio::test]
async fn a_long_transaction_holds_latest_date_covered() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let early = deleted_contact(&double, &sf, "Early").await;
    // Just after the early delete's stamp, before the next write's.
    let stamp = double.contact(&early).unwrap()["SystemModstamp"].as_str().unwrap().to_owned();
    let held_at = DateTime::parse_from_str(&stamp, "%Y-%m-%dT%H:%M:%S%.3f%z").unwrap().with_timezone(&Utc) + TimeDelta::milliseconds(1);
    let late = deleted_contact(&double, &sf, "Late").await;
    let url = deleted_url(Utc::now() - TimeDelta::minutes(5), Utc::now() + TimeDelta::minutes(5));

    double.hold_latest_covered(Some(held_at));
    let held = sf.get(&url).await;
    assert_eq!(deleted_ids(&held), [early.as_str()], "nothing from the transaction's start on yet");
    assert!(at(&held, "latestDateCovered") <= held_at);
    double.hold_latest_covered(None);
    let free = sf.get(&url).await;
    assert_eq!(deleted_ids(&free), [early, late]);
    assert!(at(&free, "latestDateCovered") <= double.now(), "never past now");
    double.stop().await;
}

#[tokio::test]
async fn emptying_the_recycle_bin_keeps_the_log_unless_it_purges_it() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let kept = deleted_contact(&double, &sf, "Kept").await;
    let url = deleted_url(Utc::now() - TimeDelta::minutes(5), Utc::now() + TimeDelta::minutes(5));
    assert_eq!(double.empty_recycle_bin(), 1);
    assert_eq!(deleted_ids(&sf.get(&url).await), [kept], "by default a hard delete stays listed");

    deleted_contact(&double, &sf, "Purged").await;
    double.empty_recycle_bin_purges_log(true);
    double.skew_clock(TimeDelta::minutes(2));
    double.empty_recycle_bin();
    assert_eq!(sf.get(&url).await.error_code(), "INVALID_REPLICATION_DATE", "the start is before the purge now");
    double.stop().await;
}

#[tokio::test]
async fn the_delete_log_controls_over_http() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let http = reqwest::Client::new();
    let control = |path: &str| format!("{}/_control/deleted{path}", double.url());
    let (one, two) = (deleted_contact(&double, &sf, "One").await, deleted_contact(&double, &sf, "Two").await);
    let url = deleted_url(Utc::now() - TimeDelta::minutes(5), Utc::now() + TimeDelta::minutes(5));

    http.put(control("/id-limit")).json(&json!({"limit": 1})).send().await.unwrap();
    assert_eq!(sf.get(&url).await.error_code(), "EXCEEDED_ID_LIMIT");
    http.put(control("/id-limit")).json(&json!({"limit": 10})).send().await.unwrap();
    let hold = salesforce_double::format_datetime(Utc::now() - TimeDelta::hours(1));
    assert_eq!(http.put(control("/hold")).json(&json!({"at": hold})).send().await.unwrap().status(), 200);
    assert!(deleted_ids(&sf.get(&url).await).is_empty());
    http.put(control("/hold")).json(&json!({"at": null})).send().await.unwrap();
    assert_eq!(deleted_ids(&sf.get(&url).await), [one, two]);
    assert_eq!(http.put(control("/hold")).json(&json!({"at": "soon"})).send().await.unwrap().status(), 400);

    http.put(format!("{}/_control/clock", double.url())).json(&json!({"skewSeconds": 120})).send().await.unwrap();
    assert_eq!(http.post(control("/purge")).send().await.unwrap().status(), 200);
    assert_eq!(sf.get(&url).await.error_code(), "INVALID_REPLICATION_DATE");
    assert_eq!(http.put(control("/empty-purges")).json(&json!({"on": true})).send().await.unwrap().status(), 200);
    double.stop().await;
}
