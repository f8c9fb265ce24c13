//! The replication API's `GET /sobjects/Contact/deleted/?start=&end=`
//! (resources_getdeleted; SOAP getDeleted and GetDeletedResult): the only
//! place a hard delete (the recycle bin emptied) shows. Its rules:
//! - seconds are ignored, and `start` must precede `end` by more than a
//!   minute;
//! - it reaches back 15 days, or only to `earliestDateAvailable` once an
//!   administrator purged the recycle bin, or the log was purged above its
//!   size limit ("If purging has been performed … INVALID_REPLICATION_DATE
//!   … you should do a full pull of the table"): the read then starts over
//!   from `earliestDateAvailable`, and what was lost is said;
//! - more than 600,000 ids is `EXCEEDED_ID_LIMIT`: the window is split;
//! - `latestDateCovered` stays at the start of a transaction still running:
//!   the next read must start there (the caller's cursor stops at it).

use reqwest::Method;
use serde_json::Value;
use sync_core::SyncError;

use crate::client::SalesforceHttp;
use crate::errors::{map, ApiError, Mapped};
use crate::inward::{soql_time, unix};

/// How far back `/deleted/` answers (Salesforce keeps 15 days), less a margin.
const DELETED_WINDOW_SECONDS: i64 = 15 * 24 * 3_600 - 3_600;
/// A window this short that still holds too many ids is not split further.
const SMALLEST_WINDOW_SECONDS: i64 = 180;

/// What a read of the delete log found.
#[derive(Debug, Default)]
pub(crate) struct Deleted {
    /// (Id, deletedDate in unix seconds).
    pub ids: Vec<(String, i64)>,
    /// `latestDateCovered` (unix seconds).
    pub covered: Option<i64>,
    /// Deletes that can no longer be read, said for a person.
    pub missed: Option<String>,
    /// Where the log starts after a purge: no later read starts before it.
    pub earliest: Option<i64>,
}

/// A window refused for one of the codes the reader handles, or another error.
enum Refused {
    Purged,
    TooMany,
    Other(SyncError),
}

/// Every delete from `from` (unix seconds, Salesforce's clock) on.
pub(crate) async fn deleted_since(http: &SalesforceHttp, from: i64) -> Result<Deleted, SyncError> {
    let now = http.server_now().timestamp();
    // A little past now: the current minute is included only when `end` lies past it.
    let end = now + 120;
    let start = from.max(now - DELETED_WINDOW_SECONDS).min(end - 120);
    let mut read = Deleted::default();
    match windows(http, start, end, &mut read).await {
        Err(Refused::Purged) => {
            // Where the log starts now: a window that must be valid says so.
            let earliest = match window(http, now, end).await {
                Ok(body) => body["earliestDateAvailable"].as_str().and_then(unix).unwrap_or(now),
                Err(Refused::Other(e)) => return Err(e),
                Err(_) => now,
            };
            read.earliest = Some(earliest);
            read.missed = Some(format!(
                "Salesforce's delete log was purged: deletes made between {} and {} can no longer be read. Contacts deleted \
                 then stay linked here until a reconcile shows them (as not found, never deleted by inference)",
                soql_time(start),
                soql_time(earliest)
            ));
            match windows(http, earliest.min(end - 120), end, &mut read).await {
                Ok(()) | Err(Refused::TooMany) => {}
                Err(Refused::Purged) => return Err(refusal("INVALID_REPLICATION_DATE", "the delete log was purged again")),
                Err(Refused::Other(e)) => return Err(e),
            }
        }
        Err(Refused::TooMany) => {}
        Err(Refused::Other(e)) => return Err(e),
        Ok(()) => {}
    }
    Ok(read)
}

/// Reads `[start, end)`, split in halves while it holds too many ids.
async fn windows(http: &SalesforceHttp, start: i64, end: i64, read: &mut Deleted) -> Result<(), Refused> {
    let mut pending = vec![(start, end)];
    while let Some((start, end)) = pending.pop() {
        match window(http, start, end).await {
            Ok(body) => {
                for gone in body["deletedRecords"].as_array().into_iter().flatten() {
                    if let (Some(id), Some(at)) = (gone["id"].as_str(), gone["deletedDate"].as_str().and_then(unix)) {
                        read.ids.push((id.to_owned(), at));
                    }
                }
                let covered = body["latestDateCovered"].as_str().and_then(unix);
                read.covered = match (read.covered, covered) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            Err(Refused::TooMany) if end - start > SMALLEST_WINDOW_SECONDS => {
                let middle = start + (end - start) / 2;
                // Later half first on the stack: the earlier one is read first.
                pending.push((middle, end));
                pending.push((start, middle));
            }
            Err(Refused::TooMany) => {
                read.missed = Some(format!(
                    "more deletes between {} and {} than Salesforce lists at once (EXCEEDED_ID_LIMIT): they were not read",
                    soql_time(start),
                    soql_time(end)
                ));
                return Err(Refused::TooMany);
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

async fn window(http: &SalesforceHttp, start: i64, end: i64) -> Result<Value, Refused> {
    let path = format!("/sobjects/Contact/deleted/?start={}&end={}", soql_time(start), soql_time(end));
    let answer = http.call(Method::GET, &path, None, &[]).await.map_err(Refused::Other)?;
    if answer.status.is_success() {
        return Ok(answer.body);
    }
    let code = serde_json::from_slice::<Vec<ApiError>>(&answer.raw).ok().and_then(|e| e.first().map(|e| e.error_code.clone()));
    Err(match code.as_deref() {
        Some("INVALID_REPLICATION_DATE") => Refused::Purged,
        Some("EXCEEDED_ID_LIMIT") => Refused::TooMany,
        _ => Refused::Other(match map(answer.status.as_u16(), &answer.raw) {
            Mapped::Error(e) => e,
            Mapped::QuotaSpent(message) => SyncError::Transient { message, retry_after: Some(http.quota_wait()) },
            other => SyncError::Transient { message: format!("Salesforce answered {}: {other:?}", answer.status), retry_after: None },
        }),
    })
}

fn refusal(code: &str, why: &str) -> SyncError {
    SyncError::Transient { message: format!("Salesforce's /deleted/ answered {code}: {why}"), retry_after: None }
}
