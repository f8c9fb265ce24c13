//! The test controls over the org's clock and its delete log: how far the
//! org's time runs from ours, and what `/deleted/` can still tell
//! (`replication` module for the documents each follows).

use chrono::{DateTime, TimeDelta, Utc};

use super::controls::Controls;
use super::lock;

impl Controls {
    /// The org's clock runs `by` ahead of ours (negative: behind). Every
    /// stamp, `/deleted/`'s now, `issued_at` and the `Date` header follow
    /// it; stamps never go back (`time` module).
    pub fn skew_clock(&self, by: TimeDelta) {
        lock(&self.state.org).contacts.clock.set_skew(by);
    }

    /// The org's time now.
    pub fn now(&self) -> DateTime<Utc> {
        lock(&self.state.org).contacts.clock.now()
    }

    /// An administrator purges the delete log: `earliestDateAvailable`
    /// becomes this minute, older deletes are forgotten, and a `/deleted/`
    /// call that starts earlier is 400 INVALID_REPLICATION_DATE.
    pub fn purge_delete_log(&self) {
        let mut org = lock(&self.state.org);
        let now = org.contacts.clock.now();
        org.contacts.log.purge(now);
    }

    /// The most ids one `/deleted/` answer may hold (600,000 at start);
    /// more is 400 EXCEEDED_ID_LIMIT.
    pub fn deleted_id_limit(&self, n: usize) {
        lock(&self.state.org).contacts.log.id_limit = n;
    }

    /// A long-running transaction started `at`: `latestDateCovered` stays
    /// at or before it and deletes from it on are not listed yet; `None`
    /// lets it commit.
    pub fn hold_latest_covered(&self, at: Option<DateTime<Utc>>) {
        lock(&self.state.org).contacts.log.hold = at;
    }

    /// Whether `empty_recycle_bin` is also an administrator's purge of the
    /// delete log (off at start). The getDeleted() guide says results reach
    /// back 15 days "or earlier if an administrator has purged the Recycle
    /// Bin", yet also that deletes live in a delete log, apart from the bin,
    /// which getDeleted reads so that hard deletes can be replicated. Which
    /// emptying counts as that purge is not said: by default emptying keeps
    /// the log (a user's emptying; hard deletes stay visible to `/deleted/`,
    /// what the resource is for), and `purge_delete_log` is the
    /// administrator's purge; `true` makes every emptying one.
    pub fn empty_recycle_bin_purges_log(&self, on: bool) {
        lock(&self.state.org).contacts.log.empty_purges = on;
    }

    /// Whether `/deleted/` lists the deletes of records hidden from the API
    /// user (off at start). getDeleted(): "Records are returned only if the
    /// user has access to them", so off is Salesforce's way; `true` is
    /// for a test that wants every delete listed whatever the sharing.
    pub fn deleted_lists_hidden(&self, on: bool) {
        lock(&self.state.org).contacts.log.lists_hidden = on;
    }
}
