//! The test controls: what a test (or, over `/_control`, a script) does to
//! the org from outside the API. Person edits go through the same store as
//! API calls, so they are stamped the same way, but they cost no quota, do
//! not need a token, and are not in the call log: the sync must not be able
//! to tell them from a colleague's edit in the Salesforce UI.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::contacts::Writer;
use super::errors::SfError;
use super::org::{Failure, Logged};
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

    /// Empties the recycle bin: hard deletes, seen only through `/deleted/`.
    pub fn empty_recycle_bin(&self) -> usize {
        lock(&self.state.org).contacts.purge_deleted()
    }

    /// The next `times` REST calls answer `status` with `error_code` (503
    /// SERVER_UNAVAILABLE, 500 UNABLE_TO_LOCK_ROW...) and change nothing.
    pub fn fail_next(&self, times: u32, status: u16, error_code: &str) {
        lock(&self.state.org).failures.push(Failure { times, status, error_code: error_code.to_owned(), writes_only: false });
    }

    /// As `fail_next`, counting only writes (reads go through).
    pub fn fail_next_writes(&self, times: u32, status: u16, error_code: &str) {
        lock(&self.state.org).failures.push(Failure { times, status, error_code: error_code.to_owned(), writes_only: true });
    }

    pub fn clear_failures(&self) {
        lock(&self.state.org).failures.clear();
    }

    /// Spends what is left of the daily quota: every call is a 403 now.
    pub fn spend_quota(&self) {
        let mut org = lock(&self.state.org);
        org.used = org.quota;
    }

    /// A new day: nothing spent.
    pub fn restore_quota(&self) {
        lock(&self.state.org).used = 0;
    }

    /// Sets the calls spent and the daily allowance (default 15000).
    pub fn set_quota(&self, used: u64, max: u64) {
        let mut org = lock(&self.state.org);
        (org.used, org.quota) = (used, max);
    }

    /// (spent, allowance), as `Sforce-Limit-Info` says.
    pub fn api_usage(&self) -> (u64, u64) {
        let org = lock(&self.state.org);
        (org.used, org.quota)
    }

    /// Every token issued so far stops working (401 INVALID_SESSION_ID).
    pub fn expire_tokens(&self) {
        lock(&self.state.org).tokens.clear();
    }

    /// Turns the duplicate rule on Email on or off (off at start).
    pub fn duplicate_rule(&self, on: bool) {
        lock(&self.state.org).duplicate_rule = on;
    }

    /// With `false`, the org lacks the two custom fields: describe omits
    /// them and the API refuses them, as an org not yet set up does.
    pub fn custom_fields(&self, present: bool) {
        lock(&self.state.org).custom_fields = present;
    }

    /// Records per query page (200 at start).
    pub fn page_size(&self, size: usize) {
        lock(&self.state.org).page_size = size.max(1);
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
