//! The comparison holds each kind of damage the soak looks for to its
//! verdict, and a clean pair of sides to none: a soak that cannot see a
//! loss would pass for the wrong reason.

use serde_json::json;

use super::compare::{compare, Verdict};
use super::ledger::{Cohort, Ledger, Values};
use super::person::RemoteCustomer;
use super::snapshot::{LocalCustomer, Snapshot};

fn values(name: &str, email: &str) -> Values {
    Values { name: name.into(), email: email.into() }
}

fn local(id: &str, v: &Values, external: Option<&str>, deleted: bool) -> LocalCustomer {
    LocalCustomer {
        id: id.into(),
        name: v.name.clone(),
        email: v.email.clone(),
        version: 2,
        deleted,
        external_id: external.map(Into::into),
        link_status: Some("synced".into()),
        last_error: None,
        synced_version: Some(2),
    }
}

fn remote(id: &str, v: &Values, ours: Option<&str>) -> RemoteCustomer {
    RemoteCustomer { id: id.into(), name: Some(v.name.clone()), email: Some(v.email.clone()), ours: ours.map(Into::into) }
}

fn snapshot(local: Vec<LocalCustomer>, remote: Vec<RemoteCustomer>) -> Snapshot {
    Snapshot { local, remote, dead_letters: vec![], failures: vec![], events_missed: vec![] }
}

/// One API customer (id "a", Stripe "cus_a") and one made in Stripe
/// (Stripe "cus_b", imported as "b"), both expecting `v`/`w`.
fn ledger(v: &Values, w: &Values) -> Ledger {
    let mut ledger = Ledger::new(7);
    let a = ledger.add(Cohort::Api, v.clone());
    ledger.customers[a].local_id = Some("a".into());
    let b = ledger.add(Cohort::StripeBorn, w.clone());
    ledger.customers[b].stripe_id = Some("cus_b".into());
    ledger
}

fn verdicts(ledger: &Ledger, snap: &Snapshot) -> Vec<Verdict> {
    let mut found: Vec<Verdict> = compare(ledger, snap).into_iter().map(|f| f.verdict).collect();
    found.sort();
    found
}

#[test]
fn equal_sides_that_hold_every_accepted_change_show_nothing() {
    let (v, w) = (values("A2", "a2@x.io"), values("B3", "b3@x.io"));
    let snap = snapshot(
        vec![local("a", &v, Some("cus_a"), false), local("b", &w, Some("cus_b"), false)],
        vec![remote("cus_a", &v, Some("a")), remote("cus_b", &w, None)],
    );
    assert_eq!(verdicts(&ledger(&v, &w), &snap), vec![]);
}

#[test]
fn an_accepted_edit_stripe_never_got_is_lost_and_diverged() {
    let (v, w) = (values("A2", "a2@x.io"), values("B3", "b3@x.io"));
    let stale = values("A1", "a2@x.io");
    let snap = snapshot(
        vec![local("a", &v, Some("cus_a"), false), local("b", &w, Some("cus_b"), false)],
        vec![remote("cus_a", &stale, Some("a")), remote("cus_b", &w, None)],
    );
    assert_eq!(verdicts(&ledger(&v, &w), &snap), vec![Verdict::Lost, Verdict::Diverged]);
}

#[test]
fn a_stripe_edit_missing_here_and_a_customer_never_imported_are_lost() {
    let (v, w) = (values("A2", "a2@x.io"), values("B3", "b3@x.io"));
    let older = values("B2", "b3@x.io");
    let snap = snapshot(
        vec![local("a", &v, Some("cus_a"), false), local("b", &older, Some("cus_b"), false)],
        vec![remote("cus_a", &v, Some("a")), remote("cus_b", &w, None)],
    );
    assert_eq!(verdicts(&ledger(&v, &w), &snap), vec![Verdict::Lost, Verdict::Diverged]);

    let not_imported =
        snapshot(vec![local("a", &v, Some("cus_a"), false)], vec![remote("cus_a", &v, Some("a")), remote("cus_b", &w, None)]);
    assert_eq!(verdicts(&ledger(&v, &w), &not_imported), vec![Verdict::Lost, Verdict::Diverged]);
}

#[test]
fn a_second_stripe_customer_with_our_id_is_doubled() {
    let (v, w) = (values("A2", "a2@x.io"), values("B3", "b3@x.io"));
    let snap = snapshot(
        vec![local("a", &v, Some("cus_a"), false), local("b", &w, Some("cus_b"), false)],
        vec![remote("cus_a", &v, Some("a")), remote("cus_a2", &v, Some("a")), remote("cus_b", &w, None)],
    );
    assert_eq!(verdicts(&ledger(&v, &w), &snap), vec![Verdict::Doubled]);
}

#[test]
fn a_delete_that_never_reached_stripe_is_lost_and_a_dead_letter_diverged() {
    let (v, w) = (values("A2", "a2@x.io"), values("B3", "b3@x.io"));
    let mut ledger = ledger(&v, &w);
    ledger.customers[0].deleted = true;
    let mut snap = snapshot(
        vec![local("a", &v, Some("cus_a"), true), local("b", &w, Some("cus_b"), false)],
        vec![remote("cus_a", &v, Some("a")), remote("cus_b", &w, None)],
    );
    snap.dead_letters.push(json!({"change": {"entity_id": "a"}, "attempts": 40, "error": "Stripe refused"}));
    // Lost (live in Stripe), diverged twice (live in Stripe while deleted here; the dead letter).
    assert_eq!(verdicts(&ledger, &snap), vec![Verdict::Lost, Verdict::Diverged, Verdict::Diverged]);
}
