//! The three sides held to what the soak did. A customer may show under
//! more than one verdict (a lost write is usually a divergence too).
//! - lost: a single-sided customer's last accepted change is not its final
//!   state here, in Stripe or in Salesforce (`lost`);
//! - doubled: two live Stripe customers or two live Contacts carry one id
//!   of ours, two local customers are linked to one Stripe customer or one
//!   Contact, or a customer made in Stripe or Salesforce came in twice
//!   (`doubled`);
//! - diverged: the sides differ for a live customer (name, email, live on
//!   one side and deleted on another), or the sync gave up on something
//!   (dead letter, `failed` link, failed event, open conflict) (`diverged`);
//! - deleted unasked: a customer deleted here that nobody deleted, neither
//!   through our API nor in Stripe nor in Salesforce (`deleted`).

mod deleted;
mod diverged;
mod doubled;
mod invoice_lines;
pub mod invoices;
mod lost;

use std::collections::HashMap;

use serde::Serialize;

use super::ledger::{Ledger, Tracked};
use super::person::RemoteCustomer;
use super::sf_person::Contact;
use super::snapshot::{LocalCustomer, Snapshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Lost,
    Doubled,
    Diverged,
    DeletedUnasked,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub verdict: Verdict,
    pub what: String,
    pub local_ids: Vec<String>,
    pub stripe_ids: Vec<String>,
    pub salesforce_ids: Vec<String>,
    /// The customer's index in the ledger, when the soak made it.
    pub tracked: Option<usize>,
}

/// The records a finding names, on each side.
#[derive(Default)]
struct Ids<'s> {
    local: Vec<&'s str>,
    stripe: Vec<&'s str>,
    salesforce: Vec<&'s str>,
}

impl<'s> Ids<'s> {
    fn new(local: &[&'s str], stripe: &[&'s str], salesforce: &[&'s str]) -> Self {
        Self { local: local.to_vec(), stripe: stripe.to_vec(), salesforce: salesforce.to_vec() }
    }
}

fn same(remote: &RemoteCustomer, name: &str, email: &str) -> bool {
    remote.name.as_deref() == Some(name) && remote.email.as_deref() == Some(email)
}

struct Checker<'a> {
    snap: &'a Snapshot,
    local: HashMap<&'a str, &'a LocalCustomer>,
    /// Live Stripe customers by the id of ours they carry, and by their id.
    by_ours: HashMap<&'a str, Vec<&'a RemoteCustomer>>,
    remote: HashMap<&'a str, &'a RemoteCustomer>,
    /// Live Contacts by the id of ours they carry; every Contact by its Id.
    contacts_by_ours: HashMap<&'a str, Vec<&'a Contact>>,
    contacts: HashMap<&'a str, &'a Contact>,
    findings: Vec<Finding>,
}

pub fn compare(ledger: &Ledger, snap: &Snapshot) -> Vec<Finding> {
    let mut contacts_by_ours: HashMap<&str, Vec<&Contact>> = HashMap::new();
    for contact in snap.contacts.iter().filter(|c| !c.deleted) {
        if let Some(ours) = contact.ours.as_deref() {
            contacts_by_ours.entry(ours).or_default().push(contact);
        }
    }
    let mut checker = Checker {
        snap,
        local: snap.local_by_id(),
        by_ours: snap.remote_by_ours(),
        remote: snap.remote.iter().map(|r| (r.id.as_str(), r)).collect(),
        contacts_by_ours,
        contacts: snap.contacts.iter().map(|c| (c.id.as_str(), c)).collect(),
        findings: Vec::new(),
    };
    for (index, tracked) in ledger.customers.iter().enumerate() {
        if !tracked.uncertain {
            checker.lost(index, tracked);
        }
    }
    checker.doubled(ledger);
    checker.diverged();
    checker.deleted_unasked(ledger);
    checker.findings
}

impl<'a> Checker<'a> {
    fn note(&mut self, verdict: Verdict, what: String, ids: Ids<'_>, tracked: Option<usize>) {
        let owned = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect();
        let (local_ids, stripe_ids, salesforce_ids) = (owned(&ids.local), owned(&ids.stripe), owned(&ids.salesforce));
        self.findings.push(Finding { verdict, what, local_ids, stripe_ids, salesforce_ids, tracked });
    }

    /// Local customers (deleted ones too) linked to Stripe customer `stripe_id`.
    fn linked_to_stripe(&self, stripe_id: &str) -> Vec<&'a LocalCustomer> {
        self.snap.local.iter().filter(|c| c.external_id.as_deref() == Some(stripe_id)).collect()
    }

    /// Local customers (deleted ones too) linked to Contact `contact_id`.
    fn linked_to_contact(&self, contact_id: &str) -> Vec<&'a LocalCustomer> {
        self.snap.local.iter().filter(|c| c.sf_external_id.as_deref() == Some(contact_id)).collect()
    }

    /// Live Stripe customers that stand for `local`: carrying its id, or linked.
    fn stripe_of(&self, local: &LocalCustomer) -> Vec<&'a RemoteCustomer> {
        let mut found: Vec<&RemoteCustomer> = self.by_ours.get(local.id.as_str()).cloned().unwrap_or_default();
        found.extend(local.external_id.as_deref().and_then(|e| self.remote.get(e).copied()));
        found.sort_by_key(|r| r.id.as_str());
        found.dedup_by_key(|r| r.id.as_str());
        found
    }

    /// Live Contacts that stand for `local`: carrying its id, or linked.
    fn contacts_of(&self, local: &LocalCustomer) -> Vec<&'a Contact> {
        let mut found: Vec<&Contact> = self.contacts_by_ours.get(local.id.as_str()).cloned().unwrap_or_default();
        found.extend(local.sf_external_id.as_deref().and_then(|e| self.contacts.get(e).copied()).filter(|c| !c.deleted));
        found.sort_by_key(|c| c.id.as_str());
        found.dedup_by_key(|c| c.id.as_str());
        found
    }

    /// The local customers that stand for a tracked one: its id, or the
    /// link to the record a person made.
    fn standing(&self, tracked: &Tracked) -> Vec<&'a LocalCustomer> {
        if let Some(id) = tracked.local_id.as_deref() {
            return self.local.get(id).copied().into_iter().collect();
        }
        let mut found = Vec::new();
        if let Some(stripe_id) = tracked.stripe_id.as_deref() {
            found.extend(self.linked_to_stripe(stripe_id));
        }
        if let Some(contact_id) = tracked.salesforce_id.as_deref() {
            found.extend(self.linked_to_contact(contact_id));
        }
        found
    }
}
