//! Doubled: one customer standing twice on a side. Two live Stripe
//! customers or two live Contacts carrying one id of ours; two local
//! customers linked to one Stripe customer or one Contact; a customer a
//! person made in Stripe or Salesforce that came in twice (linked, or
//! holding an email it ever had).

use std::collections::{BTreeSet, HashMap};

use super::{Checker, Ids, Verdict};
use crate::soak::ledger::{Cohort, Ledger};

impl<'a> Checker<'a> {
    pub(super) fn doubled(&mut self, ledger: &Ledger) {
        let stripe_doubles: Vec<(&str, Vec<&str>)> =
            self.by_ours.iter().filter(|(_, r)| r.len() > 1).map(|(o, r)| (*o, r.iter().map(|c| c.id.as_str()).collect())).collect();
        for (ours, remote) in stripe_doubles {
            self.note(
                Verdict::Doubled,
                format!("{} live Stripe customers carry our id", remote.len()),
                Ids::new(&[ours], &remote, &[]),
                None,
            );
        }
        let contact_doubles: Vec<(&str, Vec<&str>)> = self
            .contacts_by_ours
            .iter()
            .filter(|(_, c)| c.len() > 1)
            .map(|(o, c)| (*o, c.iter().map(|c| c.id.as_str()).collect()))
            .collect();
        for (ours, contacts) in contact_doubles {
            self.note(Verdict::Doubled, format!("{} live Contacts carry our id", contacts.len()), Ids::new(&[ours], &[], &contacts), None);
        }
        let mut by_stripe: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut by_contact: HashMap<&str, Vec<&str>> = HashMap::new();
        for local in &self.snap.local {
            if let Some(external) = local.external_id.as_deref() {
                by_stripe.entry(external).or_default().push(local.id.as_str());
            }
            if let Some(contact) = local.sf_external_id.as_deref() {
                by_contact.entry(contact).or_default().push(local.id.as_str());
            }
        }
        for (external, locals) in by_stripe.into_iter().filter(|(_, l)| l.len() > 1) {
            let what = format!("{} local customers linked to one Stripe customer", locals.len());
            self.note(Verdict::Doubled, what, Ids::new(&locals, &[external], &[]), None);
        }
        for (contact, locals) in by_contact.into_iter().filter(|(_, l)| l.len() > 1) {
            let what = format!("{} local customers linked to one Contact", locals.len());
            self.note(Verdict::Doubled, what, Ids::new(&locals, &[], &[contact]), None);
        }
        self.born_twice(ledger);
    }

    /// A customer made in Stripe or Salesforce once, and more than one
    /// local customer for it: linked to its record, or holding an email
    /// it ever had (every email the soak writes is new).
    fn born_twice(&mut self, ledger: &Ledger) {
        for (index, tracked) in ledger.customers.iter().enumerate() {
            let (linked, stripe, contact) = match (tracked.cohort, tracked.stripe_id.as_deref(), tracked.salesforce_id.as_deref()) {
                (Cohort::StripeBorn, Some(id), _) => (self.linked_to_stripe(id), vec![id], vec![]),
                (Cohort::SalesforceBorn, _, Some(id)) => (self.linked_to_contact(id), vec![], vec![id]),
                _ => continue,
            };
            let mut locals: BTreeSet<&str> = linked.iter().map(|c| c.id.as_str()).collect();
            locals.extend(self.snap.local.iter().filter(|c| tracked.emails.contains(&c.email)).map(|c| c.id.as_str()));
            if locals.len() > 1 {
                let locals: Vec<&str> = locals.into_iter().collect();
                let place = if tracked.cohort == Cohort::StripeBorn { "Stripe" } else { "Salesforce" };
                let what = format!("made in {place} once, {} local customers stand for it", locals.len());
                self.note(Verdict::Doubled, what, Ids::new(&locals, &stripe, &contact), Some(index));
            }
        }
    }
}
