//! A person's changes in Salesforce, straight to the org through the
//! double's controls. They answer at once and for certain, so none is ever
//! undecided: a refusal is Salesforce's word (`ENTITY_IS_DELETED`: a
//! `Both` customer someone else deleted meanwhile).

use std::sync::atomic::Ordering;

use testkit::salesforce_double::SfError;

use super::ledger::{Cohort, Outcome};
use super::ops::Operator;
use super::ops_stripe::Integration;

/// A refusal that says the Contact is gone: deleted there, or (after a
/// delete emptied from the recycle bin) not there at all.
fn says_gone(e: &SfError) -> bool {
    matches!(e.error_code.as_str(), "ENTITY_IS_DELETED" | "NOT_FOUND")
}

impl Operator {
    pub(super) fn salesforce_create(&self, index: usize) -> Outcome {
        let values = self.tracked(index, |c| c.expected.clone());
        match self.sf_person.create(&values.name, &values.email) {
            Ok(id) => {
                self.tracked(index, |c| c.salesforce_id = Some(id));
                Outcome::Accepted
            }
            Err(e) => Outcome::Refused(format!("{} {}", e.error_code, e.message)),
        }
    }

    pub(super) async fn salesforce_edit(&self, index: usize, name: Option<String>, email: Option<String>) -> Outcome {
        let contact = match self.linked_id(index, Integration::Salesforce).await {
            Ok(id) => id,
            Err(why) => return Outcome::Skipped(why),
        };
        match self.sf_person.update(&contact, name.as_deref(), email.as_deref()) {
            Ok(()) => self.tracked(index, |c| {
                c.edited(name, email);
                Outcome::Accepted
            }),
            Err(e) => self.tracked(index, |c| {
                c.deleted |= says_gone(&e) && c.cohort == Cohort::Both;
                Outcome::Refused(format!("Salesforce refused {contact}: {} {}", e.error_code, e.message))
            }),
        }
    }

    pub(super) async fn salesforce_delete(&self, index: usize) -> Outcome {
        let contact = match self.linked_id(index, Integration::Salesforce).await {
            Ok(id) => id,
            Err(why) => return Outcome::Skipped(why),
        };
        // Before a purge of the delete log, the poller is given time to
        // read every delete made (see `sf_faults`); checked with no await
        // between it and the delete, so none slips past the pause.
        if self.sf_deletes_paused.load(Ordering::SeqCst) {
            return Outcome::Skipped("paused while the delete log is purged".into());
        }
        self.tracked(index, |c| c.delete_tried = true);
        match self.sf_person.delete(&contact) {
            Ok(()) => {
                self.tracked(index, |c| c.deleted = true);
                Outcome::Accepted
            }
            Err(e) => self.tracked(index, |c| {
                c.deleted |= says_gone(&e) && c.cohort == Cohort::Both;
                Outcome::Refused(format!("Salesforce refused {contact}: {} {}", e.error_code, e.message))
            }),
        }
    }
}
