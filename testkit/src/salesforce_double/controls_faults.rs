//! The test controls that make the org fail a call: queued failures, the
//! daily API quota, sessions and the connected app, and query locators.

use super::controls::Controls;
use super::lock;
use super::org::Failure;

impl Controls {
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

    /// An administrator rotates the connected app's secret or disables the
    /// app: the token endpoint answers 400 `invalid_client` and every token
    /// issued stops working, until `restore_app` (new tokens are needed then).
    pub fn revoke_app(&self) {
        let mut org = lock(&self.state.org);
        org.revoked = true;
        org.tokens.clear();
    }

    pub fn restore_app(&self) {
        lock(&self.state.org).revoked = false;
    }

    /// Every query locator handed out so far is dead: the next
    /// `nextRecordsUrl` is 400 INVALID_QUERY_LOCATOR (`query` module).
    pub fn expire_query_locators(&self) {
        lock(&self.state.org).cursors.expire();
    }
}
