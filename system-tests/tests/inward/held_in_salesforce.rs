//! The mass-deletion guard with Salesforce: a delete held and then
//! released is taken in even when the Contact has left the recycle bin
//! meanwhile (Salesforce then no longer lists it at all, but its delete log
//! reported the delete, and nothing says it came back).

use serde_json::json;

use crate::sides::ThreeSides;
use crate::support::{email, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_delete_released_after_the_recycle_bin_was_emptied_is_taken_in() {
    let sides = ThreeSides::start(|s| {
        s.sync.deletion_guard_max = 1;
        s.sync.deletion_guard_percent = 0;
    })
    .await;
    let (first, second) =
        (sides.stack.create_local("First Gone", &email("gone1")).await, sides.stack.create_local("Second Gone", &email("gone2")).await);
    let mut contacts = Vec::new();
    for id in [&first, &second] {
        let contact = testkit::wait_for("the Contact", WAIT, || async { sides.contact_of(id) }).await;
        contacts.push(contact["Id"].as_str().unwrap().to_owned());
        testkit::wait_for("synced to Salesforce", WAIT, || async {
            (sides.stack.get(&format!("/customers/{id}")).await.1["sync"]["salesforce"]["status"] == "synced").then_some(())
        })
        .await;
    }

    // Both deleted in Salesforce and the recycle bin emptied: the delete log
    // reports them; the guard takes one in and holds the other.
    for contact in &contacts {
        sides.salesforce.controls().delete_contact(contact).unwrap();
    }
    sides.salesforce.controls().empty_recycle_bin();
    let held = testkit::wait_for("one delete held", WAIT, || async {
        let list = sides.stack.get("/sync/held-deletions?integration=salesforce").await.1;
        list["data"].as_array().filter(|held| held.len() == 1).map(|held| held[0].clone())
    })
    .await;
    let kept = held["entity_id"].as_str().unwrap().to_owned();
    assert_eq!(sides.stack.get(&format!("/customers/{kept}")).await.0, 200, "held: nothing changed");

    // Released: Salesforce lists the Contact no more, and the delete is taken in.
    let released = sides.stack.http.post(format!("{}/sync/held-deletions/{}/release", sides.stack.api, held["id"].as_str().unwrap()));
    assert_eq!(released.send().await.unwrap().status(), 200);
    testkit::wait_for("the released delete taken in", WAIT, || async {
        (sides.stack.get(&format!("/customers/{kept}")).await.0 == 404).then_some(())
    })
    .await;
    for id in [&first, &second] {
        assert_eq!(sides.stack.get(&format!("/customers/{id}")).await.0, 404);
    }
    assert_eq!(sides.stack.get("/sync/status").await.1["integrations"]["salesforce"]["held_deletions"], json!(0));
    sides.finish().await;
}
