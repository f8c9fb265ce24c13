//! A person merges duplicate Contacts, as Salesforce's UI does. Sources:
//! SOAP API guide, "merge()": up to three records in one request, the
//! master included ("the same limit as the Salesforce user interface");
//! the others are deleted ("use queryAll() to view records that have been
//! deleted during a merge", found by `isDeleted = true AND masterRecordId
//! != null`); Contact's `MasterRecordId` holds the master's id on them.
//! The losers go to the recycle bin like any delete, so the delete log
//! (and `/deleted/`) lists them.
//!
//! The master keeps its own field values: the UI lets the person pick
//! values from the losers, which is an ordinary edit of the master and a
//! test can make it with `update_contact`. The master's LastModifiedDate
//! and SystemModstamp move all the same: its related records are
//! re-parented in the same transaction.

use super::contacts::{Contacts, Writer};
use super::errors::SfError;

impl Contacts {
    /// Folds `losers` (one or two) into `master`.
    pub fn merge(&mut self, master: &str, losers: &[&str]) -> Result<(), SfError> {
        if losers.is_empty() || losers.len() > 2 {
            let message = format!("A merge takes up to three records, the master included: {} given", losers.len() + 1);
            return Err(SfError::new(400, "INVALID_OPERATION", message));
        }
        for (i, loser) in losers.iter().enumerate() {
            if *loser == master || losers[..i].contains(loser) {
                return Err(SfError::new(400, "INVALID_OPERATION", format!("{loser} is named twice in the merge")));
            }
        }
        for id in std::iter::once(master).chain(losers.iter().copied()) {
            self.live(id, Writer::Person)?;
        }
        for loser in losers {
            self.soft_delete(loser, Writer::Person, Some(master));
        }
        let at = self.clock.stamp();
        if let Some(contact) = self.records.get_mut(master) {
            (contact.modified, contact.modified_by) = (at, Writer::Person);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::contacts::{Contacts, Rules, Writer};

    #[test]
    fn losers_are_logged_and_stamped_before_the_master() {
        let mut contacts = Contacts::default();
        let rules = Rules { custom_fields: true, duplicates: None, unique_external_id: true, eai: false, version: 62 };
        let mut create = |name: &str| {
            let body = json!({"LastName": name});
            contacts.create(body.as_object().expect("an object"), rules, Writer::Api, None).expect("created")
        };
        let (master, loser) = (create("Master"), create("Loser"));
        contacts.merge(&master, &[&loser]).expect("merged");
        let (m, l) = (contacts.get(&master).expect("master"), contacts.get(&loser).expect("loser"));
        assert_eq!((l.master.as_deref(), l.deleted, l.modified_by), (Some(master.as_str()), Some(l.modified), Writer::Person));
        assert!(l.modified < m.modified && m.deleted.is_none() && m.master.is_none());
        assert_eq!(contacts.log.entries().collect::<Vec<_>>(), [(loser.as_str(), l.modified)]);
    }
}
