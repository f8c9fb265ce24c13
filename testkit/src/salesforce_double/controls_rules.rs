//! The test controls that set up the org: its duplicate rule, its email
//! settings, its custom fields, what sharing hides from the API user, and
//! how its REST API pages and compares.

use super::controls::Controls;
use super::duplicates::{DuplicateAction, DuplicateMatching};
use super::lock;

impl Controls {
    /// The shorthand of old: `true` is a custom rule on Email with the Alert
    /// action (`set_duplicate_rule(Some((EmailExact, Alert)))`), `false` none.
    pub fn duplicate_rule(&self, on: bool) {
        self.set_duplicate_rule(on.then_some((DuplicateMatching::EmailExact, DuplicateAction::Alert)));
    }

    /// The org's active duplicate rule for Contact (none at start); see
    /// the `duplicates` module for what each matching rule and action does.
    pub fn set_duplicate_rule(&self, rule: Option<(DuplicateMatching, DuplicateAction)>) {
        lock(&self.state.org).duplicate_rule = rule;
    }

    /// Email Address Internationalization set up in the org (off at start):
    /// without it, a non-ASCII email address is INVALID_EMAIL_ADDRESS.
    pub fn email_internationalization(&self, on: bool) {
        lock(&self.state.org).eai = on;
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

    /// `If-Unmodified-Since` compared to the millisecond (`true`) or to the
    /// second (`false`, at start); Salesforce does not document which.
    pub fn precondition_precision(&self, millis: bool) {
        lock(&self.state.org).precondition_millis = millis;
    }

    /// Sharing takes these records from the API user (an owner change, a
    /// sharing rule): to the REST API they do not exist. People still see them.
    pub fn hide_contacts(&self, ids: &[&str]) {
        let mut org = lock(&self.state.org);
        org.contacts.sharing.hidden.extend(ids.iter().map(|id| (*id).to_owned()));
    }

    /// Hides every record there is, and every record a person creates from
    /// now on, until `show_all_contacts`. Records the API creates are its
    /// own and stay visible.
    pub fn hide_all_contacts(&self) {
        let mut org = lock(&self.state.org);
        let ids: Vec<String> = org.contacts.all().map(|c| c.id.clone()).collect();
        org.contacts.sharing.hidden.extend(ids);
        org.contacts.sharing.hide_new = true;
    }

    /// The API user sees every record again.
    pub fn show_all_contacts(&self) {
        let mut org = lock(&self.state.org);
        org.contacts.sharing.hidden.clear();
        org.contacts.sharing.hide_new = false;
    }
}
