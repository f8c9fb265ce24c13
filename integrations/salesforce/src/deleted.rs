//! Whether Salesforce says a Contact was deleted. A 404 `NOT_FOUND` is no
//! such word: the REST API answers it too for a record the API user cannot
//! see (sharing, an ownership change), a field hidden by field-level
//! security or renamed, or another org. `queryAll` is: it lists a deleted
//! record (recycle bin) with `IsDeleted = true`, and a merged-away one with
//! the `MasterRecordId` it lives on as (SOQL reference, "queryAll";
//! "Merge records": "the losing records are deleted and their
//! MasterRecordId is set to the surviving record").

use reqwest::Method;
use serde_json::Value;
use sync_core::SyncError;

use crate::client::SalesforceHttp;
use crate::contact_calls::urlencode;
use crate::errors::{map, Mapped};

/// A Salesforce id: 15 or 18 letters and digits. Anything else is never put
/// into a query.
pub(crate) fn is_id(id: &str) -> bool {
    matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The Contact as `queryAll` holds it (deleted ones included), with the
/// fields of `select` (a `SELECT … FROM Contact`); `None` when it lists no
/// such record at all.
pub(crate) async fn read_all(http: &SalesforceHttp, select: &str, id: &str) -> Result<Option<Value>, SyncError> {
    if !is_id(id) {
        return Ok(None);
    }
    let soql = format!("{select} WHERE Id = '{id}'");
    let answer = http.call(Method::GET, &format!("/queryAll?q={}", urlencode(&soql)), None, &[]).await?;
    if !answer.status.is_success() {
        return Err(match map(answer.status.as_u16(), &answer.raw) {
            Mapped::Error(e) => e,
            Mapped::QuotaSpent(message) => SyncError::Transient { message, retry_after: Some(http.quota_wait()) },
            other => SyncError::Transient { message: format!("Salesforce answered {}: {other:?}", answer.status), retry_after: None },
        });
    }
    Ok(answer.body["records"].as_array().and_then(|r| r.first()).cloned())
}

/// The record a deleted Contact was merged into, if a merge deleted it.
pub(crate) fn master_of(contact: &Value) -> Option<String> {
    contact["MasterRecordId"].as_str().filter(|m| !m.is_empty()).map(str::to_owned)
}

/// What a write that did not find Contact `id` means, by `queryAll`:
/// `Merged` into its master, `Gone` (deleted), or `Missing` (not deleted
/// as far as Salesforce says). `said_deleted`: the write's answer was
/// `ENTITY_IS_DELETED`, itself Salesforce's word, which holds even when the
/// record has left the recycle bin since.
pub(crate) async fn confirm(http: &SalesforceHttp, id: &str, why: &str, said_deleted: bool) -> SyncError {
    let select = "SELECT Id, IsDeleted, MasterRecordId FROM Contact";
    let row = match read_all(http, select, id).await {
        Ok(row) => row,
        Err(e) => return e,
    };
    match row {
        Some(contact) if contact["IsDeleted"] == true => match master_of(&contact) {
            Some(into) => SyncError::Merged { message: format!("Salesforce Contact {id} was merged into {into}"), into },
            None => SyncError::Gone { message: format!("Salesforce Contact {id} was deleted in Salesforce") },
        },
        _ if said_deleted => SyncError::Gone { message: format!("Salesforce Contact {id} was deleted in Salesforce ({why})") },
        Some(_) => SyncError::Missing {
            message: format!(
                "{why}: Salesforce Contact {id} is listed live by queryAll, yet the API user cannot write it \
                 (sharing?); nothing is deleted"
            ),
        },
        None => SyncError::Missing {
            message: format!(
                "{why}: Salesforce does not say Contact {id} was deleted; it is hidden from the API user \
                 (sharing, field-level security) or in another org. Nothing is deleted; the change waits"
            ),
        },
    }
}
