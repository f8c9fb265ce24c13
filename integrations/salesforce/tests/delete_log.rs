//! What a poll reads when Salesforce's delete log is not simply there: a
//! purge (INVALID_REPLICATION_DATE), too many ids (EXCEEDED_ID_LIMIT), a
//! transaction still running (latestDateCovered), and merges. The edits
//! read in the same poll are never lost.
#![allow(clippy::unwrap_used)]

mod common;

use common::parts;
use serde_json::{json, Value};
use sync_core::inward::{Feed, Source};
use testkit::SalesforceDouble;

fn person(double: &SalesforceDouble, last: &str) -> String {
    double.controls().create_contact(&json!({"FirstName": "Pat", "LastName": last, "Email": format!("{last}@example.com")})).unwrap()
}

fn ids(events: &[Value], deleted: bool) -> Vec<String> {
    let wanted = if deleted { "contact.deleted" } else { "contact.changed" };
    let mut ids: Vec<String> =
        events.iter().filter(|e| e["type"] == wanted).filter_map(|e| e["record"]["Id"].as_str().map(str::to_owned)).collect();
    ids.sort();
    ids.dedup();
    ids
}

#[tokio::test]
async fn a_purged_delete_log_restarts_from_where_it_begins_and_keeps_the_edits() {
    let double = SalesforceDouble::start().await.unwrap();
    let (feed, _) = parts(&double);
    let start = double.controls().now().timestamp() - 600;
    let gone = person(&double, "Purged");
    double.controls().delete_contact(&gone).unwrap();
    double.controls().empty_recycle_bin();
    double.controls().purge_delete_log();
    let kept = person(&double, "Edited");

    let polled = feed.events_since(start).await.unwrap();

    assert!(polled.complete && polled.problem.is_none(), "{:?}", polled.problem);
    assert_eq!(ids(&polled.events, false), vec![kept.clone()], "the edit read in the same poll is there");
    let missed = polled.missed.unwrap_or_default();
    assert!(missed.contains("purged"), "the lost deletes are said: {missed}");
    // The next poll starts where the log does now: nothing more is missed.
    let again = feed.events_since(start).await.unwrap();
    assert!(again.missed.is_none() && again.problem.is_none(), "{:?} {:?}", again.missed, again.problem);
    double.stop().await;
}

#[tokio::test]
async fn too_many_deletes_at_once_are_said_and_hold_back_nothing_else() {
    let double = SalesforceDouble::start().await.unwrap();
    let (feed, _) = parts(&double);
    let start = double.controls().now().timestamp() - 60;
    for n in 0..3 {
        let id = person(&double, &format!("Bulk{n}"));
        double.controls().delete_contact(&id).unwrap();
    }
    let kept = person(&double, "Survivor");
    double.controls().deleted_id_limit(2);

    let polled = feed.events_since(start).await.unwrap();

    assert!(ids(&polled.events, false).contains(&kept));
    assert!(polled.missed.unwrap_or_default().contains("EXCEEDED_ID_LIMIT"));
    double.stop().await;
}

#[tokio::test]
async fn a_transaction_still_running_holds_the_cursor_back() {
    let double = SalesforceDouble::start().await.unwrap();
    let (feed, _) = parts(&double);
    let started = double.controls().now() - chrono::TimeDelta::minutes(3);
    double.controls().hold_latest_covered(Some(started));
    person(&double, "Meanwhile");

    let polled = feed.events_since(started.timestamp() - 600).await.unwrap();

    let covered = polled.covered_until.expect("latestDateCovered");
    assert!(covered <= started.timestamp(), "covered {covered}, transaction from {}", started.timestamp());
    double.stop().await;
}

#[tokio::test]
async fn a_merged_contact_is_read_as_merged_into_its_master_never_as_a_plain_delete() {
    let double = SalesforceDouble::start().await.unwrap();
    let (feed, source) = parts(&double);
    let start = double.controls().now().timestamp() - 60;
    let master = person(&double, "Master");
    let loser = person(&double, "Loser");
    double.controls().merge_contacts(&master, &[&loser]).unwrap();

    let polled = feed.events_since(start).await.unwrap();

    let losing: Vec<&Value> = polled.events.iter().filter(|e| e["record"]["Id"] == loser.as_str()).collect();
    assert!(losing.len() >= 2, "the loser's row and its line in the delete log: {losing:?}");
    for event in losing {
        let envelope = feed.envelope(event).unwrap();
        let record = source.decode(&envelope, event).unwrap().unwrap();
        assert_eq!((record.deleted, record.merged_into.as_deref()), (true, Some(master.as_str())), "{event}");
    }
    let read = source.get(&loser).await.unwrap();
    assert_eq!((read.deleted, read.merged_into), (true, Some(master.clone())));
    // Emptied from the recycle bin, the log still has the delete, but no
    // longer its master: then it is a plain delete, as Salesforce says.
    double.controls().empty_recycle_bin();
    let later = feed.events_since(start).await.unwrap();
    let line = later.events.iter().find(|e| e["id"] == format!("{loser}@deleted")).expect("the delete log's line");
    assert_eq!(line["record"]["IsDeleted"], true);
    double.stop().await;
}

#[tokio::test]
async fn a_contact_hidden_from_the_api_user_is_missing_not_deleted() {
    let double = SalesforceDouble::start().await.unwrap();
    let (_, source) = parts(&double);
    let hidden = person(&double, "Hidden");
    double.controls().hide_contacts(&[&hidden]);
    assert!(matches!(source.get(&hidden).await, Err(sync_core::SyncError::Missing { .. })));
    double.controls().show_all_contacts();
    assert!(!source.get(&hidden).await.unwrap().deleted);
    double.stop().await;
}
