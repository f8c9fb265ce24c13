//! The replication API's `GET /sobjects/Contact/deleted/?start=&end=`: the
//! deletes in a window, soft ones and emptied ones alike, which is how a
//! poller learns of hard deletes that queryAll no longer shows.
//!
//! As Salesforce does, seconds are ignored (both ends are cut to the
//! minute), `start` must precede `end`, and the window reaches back 15
//! days at most (`INVALID_REPLICATION_DATE`). `latestDateCovered` is
//! `end`, or now if `end` is later. Deletes are listed from `start` to
//! `end`, excluded; a next window that starts at `latestDateCovered` (cut
//! to its minute) thus misses nothing, and may repeat the last minute's.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{json, Value};

use super::contacts::Contacts;
use super::errors::SfError;
use super::rest::Call;
use super::time;

const DAYS_KEPT: i64 = 15;

fn minute(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

fn date_param(call: &Call, name: &str) -> Result<DateTime<Utc>, SfError> {
    let text = call.param(name).ok_or_else(|| SfError::new(400, "MISSING_ARGUMENT", format!("{name} not specified")))?;
    time::parse(text).ok_or_else(|| SfError::new(400, "INVALID_REPLICATION_DATE", format!("{name} is not a dateTime: {text}")))
}

pub fn deleted(contacts: &Contacts, call: &Call) -> Result<Value, SfError> {
    let (start, end) = (minute(date_param(call, "start")?), minute(date_param(call, "end")?));
    let now = time::now();
    let earliest = minute(now - TimeDelta::days(DAYS_KEPT));
    if start >= end {
        return Err(SfError::new(
            400,
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate by more than one minute",
        ));
    }
    if start < earliest {
        return Err(SfError::new(400, "INVALID_REPLICATION_DATE", format!("startDate cannot be more than {DAYS_KEPT} days ago")));
    }
    let covered = end.min(now);
    let mut deletions: Vec<_> = contacts.deletions.iter().filter(|(_, at)| *at >= start && *at < end).collect();
    deletions.sort_by_key(|(id, at)| (*at, id.clone()));
    let records: Vec<Value> = deletions.iter().map(|(id, at)| json!({"id": id, "deletedDate": time::format(*at)})).collect();
    Ok(json!({
        "deletedRecords": records,
        "earliestDateAvailable": time::format(earliest),
        "latestDateCovered": time::format(covered),
    }))
}
