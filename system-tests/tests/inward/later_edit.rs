//! The later edit wins across the three sides, also when the earlier one is
//! still on its way out: an edit made here, then (a second later) one made
//! in Salesforce before ours was written there. Ours goes out on the
//! condition that the Contact did not change after it (If-Unmodified-Since),
//! Salesforce refuses it (412), and its edit comes in and reaches Stripe.

use std::time::Duration;

use serde_json::json;

use crate::sides::ThreeSides;
use crate::support::{email, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_in_salesforce_later_than_one_still_on_its_way_there_wins_everywhere() {
    later_there_wins(chrono::TimeDelta::zero(), Duration::from_millis(1_100)).await;
}

/// As above, with Salesforce's clock minutes off ours both ways. What it
/// learns of that clock is good to a second, hence two between the edits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_later_edit_wins_while_salesforces_clock_is_minutes_off_ours() {
    later_there_wins(chrono::TimeDelta::minutes(3), Duration::from_millis(2_100)).await;
    later_there_wins(chrono::TimeDelta::minutes(-3), Duration::from_millis(2_100)).await;
}

async fn later_there_wins(skew: chrono::TimeDelta, apart: Duration) {
    // Polled seldom, so our write goes out before Salesforce's edit comes in.
    let mut sides = ThreeSides::start(|s| s.salesforce.poll_interval_ms = 4_000).await;
    sides.salesforce.controls().skew_clock(skew);
    let id = sides.stack.create_local("Ada Lovelace", &email("later")).await;
    let contact = testkit::wait_for("the Contact", WAIT, || async { sides.contact_of(&id) }).await;
    sides.stack.wait_synced(&id, 1).await;

    // Act: the edit here waits in the Salesforce queue; a person edits the
    // Contact in a later second; then the worker comes back.
    sides.stop_salesforce_worker().await;
    sides.stack.rename_local(&id, "Countess Lovelace").await;
    tokio::time::sleep(apart).await;
    let contact_id = contact["Id"].as_str().unwrap().to_owned();
    sides.salesforce.controls().update_contact(&contact_id, &json!({"FirstName": "Augusta Ada"})).unwrap();
    sides.salesforce.controls().clear_calls();
    sides.start_salesforce_worker();

    // Assert: all three sides end on Salesforce's edit, the later one.
    testkit::wait_for("the three sides to hold Salesforce's edit", Duration::from_secs(60), || async {
        let here = sides.stack.get(&format!("/customers/{id}")).await.1;
        let in_stripe = sides.stack.stripe.customers_by_email(here["email"].as_str()?).await.pop()?;
        let held = sides.contact_of(&id)?;
        let want = "Augusta Ada Lovelace";
        (here["name"] == want && in_stripe["name"] == want && held["FirstName"] == "Augusta Ada").then_some(())
    })
    .await;
    let refused = sides.salesforce.controls().calls().iter().filter(|c| c.method == "PATCH" && c.status == 412).count();
    let written = sides.salesforce.controls().calls().iter().filter(|c| c.method == "PATCH" && c.status < 300).count();
    assert_eq!((refused, written), (1, 0), "our earlier edit was refused once and nothing overwrote Salesforce's");
    sides.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_edit_here_still_goes_out_after_an_older_one_was_superseded() {
    // Retries wait 3 s: the edits below are made while the first write is in doubt.
    let mut sides = ThreeSides::start(|s| {
        s.salesforce.poll_interval_ms = 4_000;
        s.sync.retry_base_delay_ms = 3_000;
        s.sync.retry_max_delay_ms = 3_000;
    })
    .await;
    let id = sides.stack.create_local("Ada Lovelace", &email("newer")).await;
    let contact = testkit::wait_for("the Contact", WAIT, || async { sides.contact_of(&id) }).await;
    let contact_id = contact["Id"].as_str().unwrap().to_owned();
    sides.stop_salesforce_worker().await;

    // Act: version 2 is sent and its answer is a 503 (in doubt); a person
    // edits the Contact a second later; a second after that, version 3 here.
    sides.stack.rename_local(&id, "Countess Lovelace").await;
    sides.salesforce.controls().fail_next_writes(1, 503, "SERVER_UNAVAILABLE");
    sides.start_salesforce_worker();
    testkit::wait_for("version 2 sent", WAIT, || async {
        sides.salesforce.controls().calls().iter().any(|c| c.method == "PATCH" && c.status == 503).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    sides.salesforce.controls().update_contact(&contact_id, &json!({"FirstName": "Augusta Ada"})).unwrap();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    sides.stack.rename_local(&id, "Lady Lovelace").await;

    // Assert: the newest edit, made here, ends on every side.
    testkit::wait_for("the three sides to hold the newest edit", Duration::from_secs(60), || async {
        let here = sides.stack.get(&format!("/customers/{id}")).await.1;
        let in_stripe = sides.stack.stripe.customers_by_email(here["email"].as_str()?).await.pop()?;
        let held = sides.contact_of(&id)?;
        let want = "Lady Lovelace";
        (here["name"] == want && in_stripe["name"] == want && held["FirstName"] == "Lady").then_some(())
    })
    .await;
    let refused = sides.salesforce.controls().calls().iter().filter(|c| c.method == "PATCH" && c.status == 412).count();
    assert_eq!(refused, 1, "version 2, resent after the person's edit, was refused");
    sides.finish().await;
}
