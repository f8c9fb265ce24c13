//! Lost: a single-sided customer whose last accepted change (or delete) is
//! not its final state on every side. `Both` customers, and those with a
//! write in doubt, are held to convergence only (`diverged`).

use super::{same, Checker, Ids, Verdict};
use crate::soak::ledger::{Cohort, Tracked};
use crate::soak::person::RemoteCustomer;
use crate::soak::sf_person::Contact;
use crate::soak::snapshot::LocalCustomer;

/// Who made the changes the customer is held to.
fn side(cohort: Cohort) -> Option<&'static str> {
    match cohort {
        Cohort::Api => Some("our API"),
        Cohort::StripeEdited | Cohort::StripeBorn => Some("Stripe (by a person)"),
        Cohort::SalesforceEdited | Cohort::SalesforceBorn => Some("Salesforce (by a person)"),
        Cohort::Both => None,
    }
}

impl<'a> Checker<'a> {
    pub(super) fn lost(&mut self, index: usize, tracked: &Tracked) {
        let Some(side) = side(tracked.cohort) else { return };
        // An API customer whose create never answered has no id to look for.
        let made_here = !matches!(tracked.cohort, Cohort::StripeBorn | Cohort::SalesforceBorn);
        if made_here && tracked.local_id.is_none() {
            return;
        }
        if !made_here && tracked.stripe_id.is_none() && tracked.salesforce_id.is_none() {
            return;
        }
        let locals = self.standing(tracked);
        let mut stripe: Vec<&RemoteCustomer> = locals.iter().flat_map(|l| self.stripe_of(l)).collect();
        stripe.extend(tracked.stripe_id.as_deref().and_then(|id| self.remote.get(id).copied()));
        stripe.sort_by_key(|r| r.id.as_str());
        stripe.dedup_by_key(|r| r.id.as_str());
        let mut contacts: Vec<&Contact> = locals.iter().flat_map(|l| self.contacts_of(l)).collect();
        contacts.extend(tracked.salesforce_id.as_deref().and_then(|id| self.contacts.get(id).copied()).filter(|c| !c.deleted));
        contacts.sort_by_key(|c| c.id.as_str());
        contacts.dedup_by_key(|c| c.id.as_str());

        let local_ids: Vec<&str> = locals.iter().map(|c| c.id.as_str()).chain(tracked.local_id.as_deref()).collect();
        let stripe_ids: Vec<&str> = stripe.iter().map(|r| r.id.as_str()).chain(tracked.stripe_id.as_deref()).collect();
        let contact_ids: Vec<&str> = contacts.iter().map(|c| c.id.as_str()).chain(tracked.salesforce_id.as_deref()).collect();
        let ids = || Ids::new(&local_ids, &stripe_ids, &contact_ids);
        let t = Some(index);
        let live: Vec<&LocalCustomer> = locals.iter().copied().filter(|c| !c.deleted).collect();
        if tracked.deleted {
            if !live.is_empty() {
                self.note(Verdict::Lost, format!("deleted in {side}, still live here"), ids(), t);
            }
            if !stripe.is_empty() {
                self.note(Verdict::Lost, format!("deleted in {side}, still live in Stripe"), ids(), t);
            }
            if !contacts.is_empty() {
                self.note(Verdict::Lost, format!("deleted in {side}, still live in Salesforce"), ids(), t);
            }
            return;
        }
        let want = &tracked.expected;
        if locals.is_empty() {
            let what = format!("made in {side} with last values {want:?}: no customer here stands for it (it never came in)");
            return self.note(Verdict::Lost, what, ids(), t);
        }
        if !live.iter().any(|c| c.name == want.name && c.email == want.email) {
            self.note(Verdict::Lost, format!("the last change accepted by {side} {want:?} is not what we hold"), ids(), t);
        }
        if stripe.is_empty() || stripe.iter().any(|r| !same(r, &want.name, &want.email)) {
            self.note(Verdict::Lost, format!("the last change accepted by {side} {want:?} is not what Stripe holds"), ids(), t);
        }
        if contacts.is_empty() || contacts.iter().any(|c| !c.holds(&want.name, &want.email)) {
            self.note(Verdict::Lost, format!("the last change accepted by {side} {want:?} is not what Salesforce holds"), ids(), t);
        }
    }
}
