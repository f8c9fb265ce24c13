//! Salesforce's answers mapped to what the sync does with them. Errors are
//! a JSON array, `[{"message", "errorCode", "fields"}]`; the code decides:
//!
//! | answer | `SyncError` |
//! |---|---|
//! | 401 `INVALID_SESSION_ID` | [`Mapped::TokenExpired`]: refresh once, then retry |
//! | 403 `REQUEST_LIMIT_EXCEEDED` | `Transient`: the daily quota; wait, nothing is lost |
//! | `UNABLE_TO_LOCK_ROW`, 5xx, 429 | `Transient` |
//! | `ENTITY_IS_DELETED` | `Gone`: Salesforce's word that it was deleted (merged, perhaps: the caller looks) |
//! | other 404 (`NOT_FOUND`) | [`Mapped::NotFound`]: sharing, field security, a renamed field or the wrong org answer it too; the caller confirms with `queryAll` |
//! | 412 | [`Mapped::Changed`]: the record changed there; re-read, the conflict rule decides |
//! | 400 `DUPLICATES_DETECTED` | [`Mapped::Duplicate`], with the records the rule matched |
//! | `INVALID_EMAIL_ADDRESS`, `STRING_TOO_LONG`, ... (a value refused) | `Rejected`: shown on the customer once, not dead-lettered |
//! | other 4xx (`INVALID_FIELD`, ...) | `Permanent`: dead-lettered, shown on the customer |

use std::time::Duration;

use serde::Deserialize;
use sync_core::SyncError;

/// How long to wait when the org's daily quota is spent, unless
/// SALESFORCE_QUOTA_WAIT_SECONDS says otherwise: it is a rolling 24-hour
/// count, so some of it frees up within minutes.
pub const QUOTA_WAIT: Duration = Duration::from_secs(300);

/// One error of Salesforce's error array.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub error_code: String,
}

/// What an answer that is not a success means.
#[derive(Debug)]
pub enum Mapped {
    /// Get a new token once and send the call again.
    TokenExpired,
    /// `If-Unmodified-Since` failed: the record changed in Salesforce.
    Changed,
    /// A duplicate rule refused the save: the ids of the records it matched.
    Duplicate {
        message: String,
        matches: Vec<String>,
    },
    /// The org's daily quota is spent: wait (the client says how long).
    QuotaSpent(String),
    /// A query locator (`nextRecordsUrl`) that expired: 15 idle minutes, or
    /// more than 10 open for the user (help 000004410). The query is run
    /// again from where the reader got to.
    LocatorExpired(String),
    /// A 404 that is not Salesforce's word that the record was deleted: the
    /// record may be hidden from the API user (sharing, field-level
    /// security), a field renamed, or the org another one.
    NotFound(String),
    Error(SyncError),
}

/// Maps an answer's status and body.
pub fn map(status: u16, body: &[u8]) -> Mapped {
    let errors: Vec<ApiError> = serde_json::from_slice(body).unwrap_or_default();
    let first = errors
        .first()
        .cloned()
        .unwrap_or(ApiError { message: String::from_utf8_lossy(body).chars().take(300).collect(), error_code: String::new() });
    let message = format!("Salesforce answered {status} {}: {}", first.error_code, first.message);
    let transient = |retry_after| Mapped::Error(SyncError::Transient { message: message.clone(), retry_after });
    match (status, first.error_code.as_str()) {
        (401, _) => Mapped::TokenExpired,
        (412, _) => Mapped::Changed,
        (_, "REQUEST_LIMIT_EXCEEDED") => Mapped::QuotaSpent(message),
        (_, "UNABLE_TO_LOCK_ROW") => transient(None),
        (_, "DUPLICATES_DETECTED") => Mapped::Duplicate { message, matches: matched_ids(body) },
        (_, code) if REFUSED_VALUES.contains(&code) => Mapped::Error(SyncError::Rejected { message }),
        (_, "INVALID_QUERY_LOCATOR") => Mapped::LocatorExpired(message),
        (_, "ENTITY_IS_DELETED") => Mapped::Error(SyncError::Gone { message }),
        (404, _) | (_, "NOT_FOUND") => Mapped::NotFound(message),
        (429, _) | (500..=599, _) => transient(None),
        _ => Mapped::Error(SyncError::Permanent { message }),
    }
}

/// Codes of a value Salesforce will not hold as it is (the record's own
/// fault, not the setup's): an email it refuses, a text too long, a
/// validation rule of the org.
const REFUSED_VALUES: &[&str] = &[
    "INVALID_EMAIL_ADDRESS",
    "STRING_TOO_LONG",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    "REQUIRED_FIELD_MISSING",
    "INVALID_TYPE_ON_FIELD_IN_RECORD",
];

/// The ids of the records a duplicate rule matched. The REST API spells the
/// key `duplicateResut` (real answers quoted by clients and the SOAP
/// `DuplicateResult` it mirrors); `duplicateResult` is read too.
fn matched_ids(body: &[u8]) -> Vec<String> {
    let errors: Vec<serde_json::Value> = serde_json::from_slice(body).unwrap_or_default();
    let result = errors.first().and_then(|e| e.get("duplicateResut").or_else(|| e.get("duplicateResult"))).cloned().unwrap_or_default();
    let mut ids: Vec<String> = result["matchResults"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["matchRecords"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["record"]["Id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str) -> Vec<u8> {
        format!(r#"[{{"message":"because","errorCode":"{code}","fields":[]}}]"#).into_bytes()
    }

    #[test]
    fn each_answer_decides_retry_or_not() {
        assert!(matches!(map(401, &body("INVALID_SESSION_ID")), Mapped::TokenExpired));
        assert!(matches!(map(412, b""), Mapped::Changed));
        assert!(matches!(map(403, &body("REQUEST_LIMIT_EXCEEDED")), Mapped::QuotaSpent(_)));
        assert!(matches!(map(400, &body("UNABLE_TO_LOCK_ROW")), Mapped::Error(SyncError::Transient { retry_after: None, .. })));
        assert!(matches!(map(503, b"<html>down</html>"), Mapped::Error(SyncError::Transient { .. })));
        assert!(matches!(map(404, &body("NOT_FOUND")), Mapped::NotFound(_)));
        assert!(matches!(map(404, b"<html>not here</html>"), Mapped::NotFound(_)));
        assert!(matches!(map(404, &body("ENTITY_IS_DELETED")), Mapped::Error(SyncError::Gone { .. })));
        assert!(matches!(map(400, &body("ENTITY_IS_DELETED")), Mapped::Error(SyncError::Gone { .. })));
        assert!(matches!(map(400, &body("DUPLICATES_DETECTED")), Mapped::Duplicate { .. }));
        assert!(matches!(map(400, &body("INVALID_EMAIL_ADDRESS")), Mapped::Error(SyncError::Rejected { .. })));
        assert!(matches!(map(400, &body("INVALID_QUERY_LOCATOR")), Mapped::LocatorExpired(_)));
        match map(400, &body("INVALID_FIELD")) {
            Mapped::Error(SyncError::Permanent { message }) => {
                assert!(message.contains("INVALID_FIELD") && message.contains("because"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        let duplicate = br#"[{"errorCode":"DUPLICATES_DETECTED","message":"Use one of these records?","duplicateResut":
            {"allowSave":true,"matchResults":[{"matchRecords":[{"record":{"Id":"003A"}},{"record":{"Id":"003B"}}]}]}}]"#;
        assert!(matches!(map(400, duplicate), Mapped::Duplicate { matches, .. } if matches == ["003A", "003B"]));
    }
}
