//! The replication API's `GET /sobjects/Contact/deleted/?start=&end=` and
//! the delete log behind it: the deletes in a window, soft ones, merged
//! ones and emptied ones alike, which is how a poller learns of hard
//! deletes that queryAll no longer shows.
//!
//! Sources: REST API guide "sObject Get Deleted" (resources_getdeleted.htm)
//! and SOAP API guide "getDeleted()" with "GetDeletedResult":
//! - seconds are ignored (both ends are cut to the minute), and `start`
//!   must precede `end` **by more than one minute**, else
//!   `INVALID_REPLICATION_DATE`;
//! - results reach back 15 days, "or earlier if an administrator has purged
//!   the Recycle Bin"; a `start` before the purge is
//!   `INVALID_REPLICATION_DATE`, after which "you should do a full pull";
//! - more than 600,000 ids is `EXCEEDED_ID_LIMIT` ("choose start and end
//!   dates that are closer together");
//! - `latestDateCovered` is at most `end` and stays at the start of a
//!   transaction that has not completed; the next call must start there;
//! - "Records are returned only if the user has access to them": a record
//!   hidden from the API user by sharing is left out, unless a test asks
//!   for it to be listed (`Controls::deleted_lists_hidden`).
//!
//! Deletes are listed from `start` to `end`, excluded; a next window that
//! starts at `latestDateCovered` (cut to its minute, as it is) thus misses
//! nothing, and may repeat the last minute's.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{json, Value};

use super::contacts::Contacts;
use super::errors::SfError;
use super::rest::Call;
use super::time;

const DAYS_KEPT: i64 = 15;
pub const DEFAULT_ID_LIMIT: usize = 600_000;

fn minute(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

/// Every delete the org remembers, and how `/deleted/` reads them.
pub struct DeleteLog {
    entries: Vec<(String, DateTime<Utc>)>,
    /// `earliestDateAvailable` after an administrator's purge.
    purged: Option<DateTime<Utc>>,
    pub id_limit: usize,
    /// The start of a transaction still running: nothing from it on is covered yet.
    pub hold: Option<DateTime<Utc>>,
    /// Whether emptying the recycle bin is also a purge of the log.
    pub empty_purges: bool,
    /// List deletes of records hidden from the API user (not Salesforce's way).
    pub lists_hidden: bool,
}

impl Default for DeleteLog {
    fn default() -> Self {
        Self { entries: Vec::new(), purged: None, id_limit: DEFAULT_ID_LIMIT, hold: None, empty_purges: false, lists_hidden: false }
    }
}

impl DeleteLog {
    pub fn record(&mut self, id: &str, at: DateTime<Utc>) {
        self.entries.push((id.to_owned(), at));
    }

    /// The deletes remembered, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = (&str, DateTime<Utc>)> {
        self.entries.iter().map(|(id, at)| (id.as_str(), *at))
    }

    /// An administrator's purge at `now`: the log starts again from this minute.
    pub fn purge(&mut self, now: DateTime<Utc>) {
        let earliest = minute(now);
        self.purged = Some(earliest);
        self.entries.retain(|(_, at)| *at >= earliest);
    }
}

fn date_param(call: &Call, name: &str) -> Result<DateTime<Utc>, SfError> {
    let text = call.param(name).ok_or_else(|| SfError::new(400, "MISSING_ARGUMENT", format!("{name} not specified")))?;
    time::parse(text).ok_or_else(|| SfError::new(400, "INVALID_REPLICATION_DATE", format!("{name} is not a dateTime: {text}")))
}

pub fn deleted(contacts: &Contacts, call: &Call) -> Result<Value, SfError> {
    let log = &contacts.log;
    let (start, end) = (minute(date_param(call, "start")?), minute(date_param(call, "end")?));
    let now = contacts.clock.now();
    let window = minute(now - TimeDelta::days(DAYS_KEPT));
    let earliest = log.purged.map_or(window, |purged| purged.max(window));
    let invalid = |message: String| SfError::new(400, "INVALID_REPLICATION_DATE", message);
    if end - start <= TimeDelta::minutes(1) {
        return Err(invalid("startDate must chronologically precede endDate by more than one minute".into()));
    }
    if start < window {
        return Err(invalid(format!("startDate cannot be more than {DAYS_KEPT} days ago")));
    }
    if start < earliest {
        // What the client needs to restart: the log was purged after its
        // start, so deletes may be missing; a full pull, then this date on.
        return Err(invalid(format!(
            "startDate is before earliestDateAvailable {}: the delete log was purged; resynchronize with a full pull",
            time::format(earliest)
        )));
    }
    let covered = minute([Some(end), Some(now), log.hold].into_iter().flatten().min().unwrap_or(end));
    let until = log.hold.map_or(end, |hold| hold.min(end));
    let visible = |id: &str| log.lists_hidden || !contacts.sharing.hides(id);
    let mut deletions: Vec<_> = log.entries().filter(|(id, at)| *at >= start && *at < until && visible(id)).collect();
    if deletions.len() > log.id_limit {
        let message = format!("Exceeded the limit of {} ids: choose start and end dates that are closer together", log.id_limit);
        return Err(SfError::new(400, "EXCEEDED_ID_LIMIT", message));
    }
    deletions.sort_by_key(|(id, at)| (*at, *id));
    let records: Vec<Value> = deletions.iter().map(|(id, at)| json!({"id": id, "deletedDate": time::format(*at)})).collect();
    Ok(json!({
        "deletedRecords": records,
        "earliestDateAvailable": time::format(earliest),
        "latestDateCovered": time::format(covered),
    }))
}
