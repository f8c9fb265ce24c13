//! Salesforce's changes as the sync core reads them, against the double:
//! polled edits and soft deletes, a late commit stamped in the past, hard
//! deletes through `/deleted/`, one Contact read, and reconcile's paging.
#![allow(clippy::unwrap_used)]

mod common;

use common::parts;
use salesforce_integration::inward::{SalesforceContactSource, SalesforceFeed};
use serde_json::{json, Value};
use sync_core::inward::{Feed, Source};
use testkit::SalesforceDouble;

fn decoded(feed: &SalesforceFeed, source: &SalesforceContactSource, events: &[Value]) -> Vec<(String, Option<String>, bool)> {
    events
        .iter()
        .map(|event| {
            let envelope = feed.envelope(event).unwrap();
            let record = source.decode(&envelope, event).unwrap().unwrap();
            (record.external_id, record.values.name, record.deleted)
        })
        .collect()
}

#[tokio::test]
async fn edits_soft_and_hard_deletes_and_late_commits_are_all_read() {
    let double = SalesforceDouble::start().await.unwrap();
    let (feed, source) = parts(&double);
    let start = chrono::Utc::now().timestamp() - 120;
    let ada = double.controls().create_contact(&json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})).unwrap();
    let late_at = chrono::Utc::now() - chrono::Duration::seconds(30);
    let late = double.controls().create_contact_stamped(&json!({"LastName": "Late", "Email": "late@example.com"}), late_at).unwrap();

    let polled = feed.events_since(start).await.unwrap();
    let events = polled.events;
    assert!(polled.complete && polled.problem.is_none() && polled.missed.is_none());
    let mut seen = decoded(&feed, &source, &events);
    seen.sort();
    let mut expected = vec![(ada.clone(), Some("Ada Lovelace".to_owned()), false), (late.clone(), Some("Late".to_owned()), false)];
    expected.sort();
    assert_eq!(seen, expected);

    // Read again: the same keys, so the inbox drops them.
    let again = feed.events_since(start).await.unwrap().events;
    let keys = |events: &[Value]| events.iter().map(|e| feed.envelope(e).unwrap().id).collect::<Vec<_>>();
    assert_eq!(keys(&again), keys(&events));

    double.controls().delete_contact(&ada).unwrap();
    double.controls().delete_contact(&late).unwrap();
    double.controls().empty_recycle_bin();
    let after = feed.events_since(start).await.unwrap().events;
    let deleted: Vec<String> =
        decoded(&feed, &source, &after).into_iter().filter(|(_, _, deleted)| *deleted).map(|(id, _, _)| id).collect();
    assert!(deleted.contains(&ada) && deleted.contains(&late), "{after:?}");
    // Emptied from the recycle bin: Salesforce no longer lists it, and does
    // not say it was deleted either (the delete log did, above).
    assert!(matches!(source.get(&ada).await, Err(sync_core::SyncError::Missing { .. })));
    double.stop().await;
}

#[tokio::test]
async fn one_contact_is_read_and_all_are_listed_page_by_page() {
    let double = SalesforceDouble::start().await.unwrap();
    let (_, source) = parts(&double);
    double.controls().page_size(2);
    let mut made = Vec::new();
    for n in 0..5 {
        made.push(
            double
                .controls()
                .create_contact(&json!({"FirstName": "N", "LastName": format!("L{n}"), "Email": format!("{n}@example.com")}))
                .unwrap(),
        );
    }
    let one = source.get(&made[0]).await.unwrap();
    assert_eq!((one.values.name.as_deref(), one.deleted, one.our_id), (Some("N L0"), false, None));

    let mut listed = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = source.list_page(after.as_deref()).await.unwrap();
        listed.extend(page.records.into_iter().map(|r| r.external_id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    listed.sort();
    made.sort();
    assert_eq!(listed, made);
    double.stop().await;
}

#[tokio::test]
async fn a_listing_whose_query_locator_expired_goes_on_after_the_last_contact_listed() {
    let double = SalesforceDouble::start().await.unwrap();
    let (_, source) = parts(&double);
    double.controls().page_size(2);
    let mut made = Vec::new();
    for n in 0..7 {
        let fields = json!({"FirstName": "N", "LastName": format!("L{n}"), "Email": format!("{n}@example.com")});
        made.push(double.controls().create_contact(&fields).unwrap());
    }

    // A slow reconcile: the locator dies (15 idle minutes) after the first
    // page, and the new one after the second page read from it.
    let mut listed = Vec::new();
    let mut after: Option<String> = None;
    for n in 0.. {
        let page = source.list_page(after.as_deref()).await.unwrap();
        listed.extend(page.records.into_iter().map(|r| r.external_id));
        if n == 0 || n == 2 {
            double.controls().expire_query_locators();
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }

    made.sort();
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique, made, "every Contact listed");
    assert_eq!(listed.len(), made.len(), "none twice: {listed:?}");
    double.stop().await;
}
