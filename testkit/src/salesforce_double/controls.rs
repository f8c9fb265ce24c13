//! The test controls: what a test (or, over `/_control`, a script) does to
//! the org from outside the API. Person edits go through the same store as
//! API calls, so they are stamped the same way, but they cost no quota, do
//! not need a token, and are not in the call log: the sync must not be able
//! to tell them from a colleague's edit in the Salesforce UI.
//!
//! This file holds the people's side (edits, merges, the recycle bin) and
//! what tests inspect; `controls_faults`, `controls_rules` and
//! `controls_log` hold the org's failures, settings and clock.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::contacts::Writer;
use super::errors::SfError;
use super::org::Logged;
use super::{lock, State};
use actix_web::web;

/// A handle on the double's org; `SalesforceDouble` derefs to it.
#[derive(Clone)]
pub struct Controls {
    pub(super) state: web::Data<State>,
}

fn object(fields: &Value) -> Result<&Map<String, Value>, SfError> {
    fields.as_object().ok_or_else(|| SfError::new(400, "JSON_PARSER_ERROR", "expected a JSON object of fields"))
}

impl Controls {
    /// The client id and secret the token endpoint accepts.
    pub fn set_credentials(&self, client_id: &str, client_secret: &str) {
        let mut org = lock(&self.state.org);
        (org.client_id, org.client_secret) = (client_id.to_owned(), client_secret.to_owned());
    }

    /// The `instance_url` tokens issued from now on name (a proxy in front
    /// of the double, say); tokens already issued keep theirs.
    pub fn set_instance_url(&self, url: &str) {
        lock(&self.state.org).base_url = url.trim_end_matches('/').to_owned();
    }

    /// A person creates a Contact in Salesforce; its id.
    pub fn create_contact(&self, fields: &Value) -> Result<String, SfError> {
        let mut org = lock(&self.state.org);
        let rules = org.person_rules();
        org.contacts.create(object(fields)?, rules, Writer::Person, None)
    }

    /// A Contact whose transaction commits late: stamped `at`, before
    /// records already visible, as a poller's overlap window must catch.
    pub fn create_contact_stamped(&self, fields: &Value, at: DateTime<Utc>) -> Result<String, SfError> {
        let mut org = lock(&self.state.org);
        let rules = org.person_rules();
        org.contacts.create(object(fields)?, rules, Writer::Person, Some(at))
    }

    /// A person edits a Contact.
    pub fn update_contact(&self, id: &str, fields: &Value) -> Result<(), SfError> {
        let mut org = lock(&self.state.org);
        let rules = org.person_rules();
        org.contacts.update(id, object(fields)?, rules, Writer::Person)
    }

    /// A person deletes a Contact (to the recycle bin).
    pub fn delete_contact(&self, id: &str) -> Result<(), SfError> {
        lock(&self.state.org).contacts.delete(id, Writer::Person)
    }

    /// Empties the recycle bin: hard deletes, seen only through `/deleted/`
    /// (which keeps them, unless `empty_recycle_bin_purges_log(true)`).
    pub fn empty_recycle_bin(&self) -> usize {
        lock(&self.state.org).contacts.purge_deleted()
    }

    /// A person merges `losers` (one or two) into `master`, as the UI's
    /// merge does (`merge` module): each loser goes to the recycle bin with
    /// `MasterRecordId = master`; the master keeps its values, its stamps move.
    pub fn merge_contacts(&self, master: &str, losers: &[&str]) -> Result<(), SfError> {
        lock(&self.state.org).contacts.merge(master, losers)
    }

    /// Every Contact, deleted ones too, with every field.
    pub fn contacts(&self) -> Vec<Value> {
        lock(&self.state.org).dump()
    }

    pub fn contact(&self, id: &str) -> Option<Value> {
        lock(&self.state.org).contacts.get(id).map(|c| c.to_full_json("v62.0", true))
    }

    /// Every call to the token endpoint and the REST API, in order.
    pub fn calls(&self) -> Vec<Logged> {
        lock(&self.state.org).log.clone()
    }

    /// REST calls that changed a record: what "no echo writes" counts.
    pub fn writes(&self) -> usize {
        lock(&self.state.org).log.iter().filter(|c| c.is_write()).count()
    }

    pub fn clear_calls(&self) {
        lock(&self.state.org).log.clear();
    }

    /// Back to the state at start, keeping the URL and credentials.
    pub fn reset(&self) {
        let mut org = lock(&self.state.org);
        let fresh = super::org::Org::new(org.base_url.clone(), &org.client_id, &org.client_secret);
        *org = fresh;
    }
}
