//! Deleted unasked: no customer is deleted here that was not deleted
//! somewhere, through our API, in Stripe or in Salesforce. A 404, a purged
//! delete log, a merge are never a delete: every local customer deleted at
//! the end must stand for one the soak tried to delete.

use super::{Checker, Ids, Verdict};
use crate::soak::ledger::{Cohort, Ledger, Tracked};
use crate::soak::snapshot::LocalCustomer;

/// Whether `tracked` is the customer `local` stands for: its id, the
/// record a person made (a merge's losers included), or (a create whose
/// answer never came) an email it had.
fn stands_for(tracked: &Tracked, local: &LocalCustomer) -> bool {
    if tracked.local_id.as_deref() == Some(local.id.as_str()) {
        return true;
    }
    let born_in_stripe = tracked.cohort == Cohort::StripeBorn && tracked.stripe_id.is_some() && tracked.stripe_id == local.external_id;
    let contact = local.sf_external_id.as_deref();
    let born_in_salesforce = tracked.cohort == Cohort::SalesforceBorn
        && contact.is_some_and(|c| tracked.salesforce_id.as_deref() == Some(c) || tracked.merged_ids.iter().any(|m| m == c));
    born_in_stripe || born_in_salesforce || (tracked.local_id.is_none() && tracked.emails.contains(&local.email))
}

impl<'a> Checker<'a> {
    pub(super) fn deleted_unasked(&mut self, ledger: &Ledger) {
        for local in self.snap.local.iter().filter(|c| c.deleted) {
            let stripe: Vec<&str> = local.external_id.as_deref().into_iter().collect();
            let contact: Vec<&str> = local.sf_external_id.as_deref().into_iter().collect();
            let ids = Ids::new(&[local.id.as_str()], &stripe, &contact);
            let entries: Vec<(usize, &Tracked)> = ledger.customers.iter().enumerate().filter(|(_, t)| stands_for(t, local)).collect();
            match entries.as_slice() {
                [] => self.note(Verdict::DeletedUnasked, "deleted here; the soak never made it, and no one deleted it".into(), ids, None),
                found if !found.iter().any(|(_, t)| t.deleted || t.delete_tried) => {
                    let what = "deleted here, yet no one deleted it: not through our API, not in Stripe, not in Salesforce".into();
                    self.note(Verdict::DeletedUnasked, what, ids, Some(found[0].0));
                }
                _ => {}
            }
        }
    }
}
