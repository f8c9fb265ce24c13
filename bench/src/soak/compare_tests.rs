//! The comparison holds each kind of damage the soak looks for to its
//! verdict, and three clean sides to none: a soak that cannot see a loss
//! would pass for the wrong reason.

use serde_json::json;

use super::compare::{compare, Verdict};
use super::held::Guarded;
use super::ledger::{Cohort, Ledger, Values};
use super::person::RemoteCustomer;
use super::sf_person::Contact;
use super::snapshot::{LocalCustomer, Snapshot};

fn values(name: &str, email: &str) -> Values {
    Values { name: name.into(), email: email.into() }
}

fn local(id: &str, v: &Values, stripe: &str, contact: &str, deleted: bool) -> LocalCustomer {
    LocalCustomer {
        id: id.into(),
        name: v.name.clone(),
        email: v.email.clone(),
        version: 2,
        deleted,
        external_id: Some(stripe.into()),
        link_status: Some("synced".into()),
        last_error: None,
        synced_version: Some(2),
        sf_external_id: Some(contact.into()),
        sf_status: Some("synced".into()),
        sf_error: None,
    }
}

fn remote(id: &str, v: &Values, ours: Option<&str>) -> RemoteCustomer {
    RemoteCustomer { id: id.into(), name: Some(v.name.clone()), email: Some(v.email.clone()), ours: ours.map(Into::into) }
}

fn contact(id: &str, v: &Values, ours: Option<&str>, deleted: bool) -> Contact {
    Contact { id: id.into(), name: Some(v.name.clone()), email: Some(v.email.clone()), ours: ours.map(Into::into), deleted, master: None }
}

fn snapshot(local: Vec<LocalCustomer>, remote: Vec<RemoteCustomer>, contacts: Vec<Contact>) -> Snapshot {
    Snapshot {
        local,
        remote,
        contacts,
        dead_letters: vec![],
        failures: vec![],
        events_missed: vec![],
        guarded: Guarded::default(),
        poller_missed: vec![],
    }
}

/// One API customer (id "a", Stripe "cus_a", Contact "003a"), one made in
/// Stripe (Stripe "cus_b", imported as "b", Contact "003b") and one made
/// in Salesforce (Contact "003c", imported as "c", Stripe "cus_c"),
/// expecting `v`, `w` and `x`.
fn ledger(v: &Values, w: &Values, x: &Values) -> Ledger {
    let mut ledger = Ledger::new(7);
    let a = ledger.add(Cohort::Api, v.clone());
    ledger.customers[a].local_id = Some("a".into());
    let b = ledger.add(Cohort::StripeBorn, w.clone());
    ledger.customers[b].stripe_id = Some("cus_b".into());
    let c = ledger.add(Cohort::SalesforceBorn, x.clone());
    ledger.customers[c].salesforce_id = Some("003c".into());
    ledger
}

fn sides(v: &Values, w: &Values, x: &Values) -> Snapshot {
    snapshot(
        vec![local("a", v, "cus_a", "003a", false), local("b", w, "cus_b", "003b", false), local("c", x, "cus_c", "003c", false)],
        vec![remote("cus_a", v, Some("a")), remote("cus_b", w, None), remote("cus_c", x, Some("c"))],
        vec![contact("003a", v, Some("a"), false), contact("003b", w, Some("b"), false), contact("003c", x, None, false)],
    )
}

fn three() -> (Values, Values, Values) {
    (values("A2", "a2@x.io"), values("B3", "b3@x.io"), values("C4", "c4@x.io"))
}

fn verdicts(ledger: &Ledger, snap: &Snapshot) -> Vec<Verdict> {
    let mut found: Vec<Verdict> = compare(ledger, snap).into_iter().map(|f| f.verdict).collect();
    found.sort();
    found
}

#[test]
fn equal_sides_that_hold_every_accepted_change_show_nothing() {
    let (v, w, x) = three();
    assert_eq!(verdicts(&ledger(&v, &w, &x), &sides(&v, &w, &x)), vec![]);
}

#[test]
fn an_accepted_edit_stripe_never_got_is_lost_and_diverged() {
    let (v, w, x) = three();
    let mut snap = sides(&v, &w, &x);
    snap.remote[0] = remote("cus_a", &values("A1", "a2@x.io"), Some("a"));
    assert_eq!(verdicts(&ledger(&v, &w, &x), &snap), vec![Verdict::Lost, Verdict::Diverged]);
}

#[test]
fn a_salesforce_edit_missing_here_and_a_contact_never_imported_are_lost() {
    let (v, w, x) = three();
    let mut snap = sides(&v, &w, &x);
    snap.contacts[2] = contact("003c", &values("C5", "c4@x.io"), None, false);
    // Salesforce holds an edit the catalog and Stripe never got.
    let mut newer = ledger(&v, &w, &x);
    newer.customers[2].expected = values("C5", "c4@x.io");
    assert_eq!(verdicts(&newer, &snap), vec![Verdict::Lost, Verdict::Lost, Verdict::Diverged]);

    let mut not_imported = sides(&v, &w, &x);
    not_imported.local.pop();
    not_imported.remote.pop();
    assert_eq!(verdicts(&ledger(&v, &w, &x), &not_imported), vec![Verdict::Lost, Verdict::Diverged]);
}

#[test]
fn a_second_stripe_customer_or_contact_with_our_id_is_doubled() {
    let (v, w, x) = three();
    let mut snap = sides(&v, &w, &x);
    snap.remote.push(remote("cus_a2", &v, Some("a")));
    snap.contacts.push(contact("003a2", &v, Some("a"), false));
    assert_eq!(verdicts(&ledger(&v, &w, &x), &snap), vec![Verdict::Doubled, Verdict::Doubled]);
}

#[test]
fn a_delete_that_never_reached_salesforce_is_lost_and_a_dead_letter_diverged() {
    let (v, w, x) = three();
    let mut ledger = ledger(&v, &w, &x);
    ledger.customers[0].deleted = true;
    let mut snap = sides(&v, &w, &x);
    snap.local[0].deleted = true;
    snap.remote.remove(0);
    snap.dead_letters.push(json!({"change": {"entity_id": "a"}, "attempts": 40, "error": "Salesforce refused"}));
    // Lost (live in Salesforce), diverged twice (live there while deleted here; the dead letter).
    assert_eq!(verdicts(&ledger, &snap), vec![Verdict::Lost, Verdict::Diverged, Verdict::Diverged]);
}

#[test]
fn a_customer_deleted_here_that_no_one_deleted_is_deleted_unasked() {
    let (v, w, x) = three();
    let mut snap = sides(&v, &w, &x);
    // Made in Salesforce, deleted everywhere, though the person never deleted it.
    snap.local[2].deleted = true;
    snap.remote.pop();
    snap.contacts[2].deleted = true;
    let found = verdicts(&ledger(&v, &w, &x), &snap);
    assert!(found.contains(&Verdict::DeletedUnasked), "{found:?}");

    // Had the person deleted it, all is well.
    let mut asked = ledger(&v, &w, &x);
    asked.customers[2].deleted = true;
    asked.customers[2].delete_tried = true;
    assert_eq!(verdicts(&asked, &snap), vec![]);
}

#[test]
fn a_merged_contact_is_one_customer_linked_to_the_master() {
    let (v, w, x) = three();
    let mut ledger = ledger(&v, &w, &x);
    // "003c" merged into "003m": its customer "c" is relinked and holds the master's values.
    let m = values("M1", "m1@x.io");
    let merged = &mut ledger.customers[2];
    (merged.salesforce_id, merged.expected) = (Some("003m".into()), m.clone());
    merged.merged_ids.push("003c".into());
    merged.emails.push(m.email.clone());
    let mut snap = sides(&v, &w, &x);
    snap.local[2] = local("c", &m, "cus_c", "003m", false);
    snap.remote[2] = remote("cus_c", &m, Some("c"));
    snap.contacts[2].deleted = true;
    snap.contacts.push(contact("003m", &m, Some("c"), false));
    assert_eq!(verdicts(&ledger, &snap), vec![]);

    // The loser's customer deleted instead of relinked, the master brought in anew.
    snap.local[2] = local("c", &x, "cus_c", "003c", true);
    snap.local.push(local("m", &m, "cus_m", "003m", false));
    snap.remote[2] = remote("cus_m", &m, Some("m"));
    snap.contacts[3] = contact("003m", &m, Some("m"), false);
    assert!(verdicts(&ledger, &snap).contains(&Verdict::DeletedUnasked));
}
