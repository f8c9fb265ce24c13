//! The customer catalog's `Connector` for Salesforce Contacts. A create is
//! an upsert by our id in the external-id field, so a create retried after
//! a lost answer (or a crash) finds the Contact it made instead of making a
//! second one; the version field carries the version written, as Stripe's
//! metadata does. Salesforce has no idempotency keys: the upsert is what
//! makes a resend harmless.

use chrono::{DateTime, Utc};
use customer_catalog::CustomerRecord;
use reqwest::Method;
use serde_json::{json, Value};
use sync_core::{Connector, SyncError};
use uuid::Uuid;

use crate::client::{Answer, SalesforceHttp};
use crate::errors::{map, Mapped};
use crate::names;

/// The two custom fields on Contact that the sync needs.
#[derive(Debug, Clone)]
pub struct Fields {
    /// External ID and Unique, holding our customer id (`Catalog_Sync_Id__c`).
    pub external_id: String,
    /// The version of ours last written (`Catalog_Sync_Version__c`).
    pub version: String,
}

/// Whether a Contact whose email another one has is saved anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateRule {
    /// The org's duplicate rule decides; a match is a visible conflict.
    Respect,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`.
    AllowSave,
}

pub struct SalesforceContacts {
    http: SalesforceHttp,
    fields: Fields,
    duplicates: DuplicateRule,
}

impl SalesforceContacts {
    pub fn new(http: SalesforceHttp, fields: Fields, duplicates: DuplicateRule) -> Self {
        Self { http, fields, duplicates }
    }

    fn body(&self, record: &CustomerRecord) -> Result<Value, SyncError> {
        let name = names::split(&record.name).map_err(|e| SyncError::Permanent { message: e.to_string() })?;
        let mut body = json!({"FirstName": name.first, "LastName": name.last, "Email": record.email});
        body[&self.fields.version] = json!(record.version);
        Ok(body)
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        match self.duplicates {
            DuplicateRule::Respect => Vec::new(),
            DuplicateRule::AllowSave => vec![("Sforce-Duplicate-Rule-Header", "allowSave=true".to_owned())],
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer, SyncError> {
        self.call_with(method, path, body, self.headers()).await
    }

    async fn call_with(&self, method: Method, path: &str, body: Option<&Value>, headers: Vec<(&str, String)>) -> Result<Answer, SyncError> {
        let answer = self.http.call(method, path, body, &headers).await?;
        if answer.status.is_success() {
            return Ok(answer);
        }
        Err(match map(answer.status.as_u16(), &answer.raw) {
            Mapped::Error(e) => e,
            // Confirmed (or not) by the caller that knows the record.
            Mapped::NotFound(message) => SyncError::Missing { message },
            Mapped::Duplicate(message) => SyncError::Permanent { message: format!("duplicate: {message}") },
            Mapped::QuotaSpent(message) => SyncError::Transient { message, retry_after: Some(self.http.quota_wait()) },
            Mapped::TokenExpired => SyncError::Transient { message: "Salesforce refused a fresh token".into(), retry_after: None },
            Mapped::Changed => SyncError::Superseded { message: "the Contact changed in Salesforce after this edit (412)".into() },
        })
    }

    /// Whether the Contact holds exactly `body`: a resend of our own write
    /// that had landed (its answer lost) is refused by its own condition,
    /// since that write changed the Contact after the edit.
    async fn ours_already(&self, path: &str, body: &Value) -> Result<bool, SyncError> {
        let fields: Vec<&str> = body.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        let answer = self.call(Method::GET, &format!("{path}?fields={}", fields.join(",")), None).await?;
        Ok(fields.iter().all(|f| same(&answer.body[*f], &body[*f])))
    }
}

/// Field values as Salesforce gives them back: a number field reads as
/// `3.0`, an empty text as `null`.
fn same(held: &Value, sent: &Value) -> bool {
    match (held, sent) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Null, Value::String(s)) | (Value::String(s), Value::Null) => s.is_empty(),
        (a, b) => a == b,
    }
}

fn quoted(value: &str) -> String {
    // SOQL string literal: backslash and quote escaped (our ids are UUIDs anyway).
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl Connector<CustomerRecord> for SalesforceContacts {
    fn integration(&self) -> &'static str {
        "salesforce"
    }

    /// The org must let us in and have the two custom fields on Contact
    /// (describe). A refused sign-in or a missing field is for a person to
    /// fix (`Permanent`); Salesforce out of reach is not (`Transient`).
    async fn preflight(&self) -> Result<(), SyncError> {
        self.http.sign_in().await?;
        let answer = self.call(Method::GET, "/sobjects/Contact/describe", None).await?;
        let fields = answer.body["fields"].as_array().cloned().unwrap_or_default();
        let field = |name: &str| fields.iter().find(|f| f["name"] == name).cloned();
        let (external, version) = (&self.fields.external_id, &self.fields.version);
        let mut missing = Vec::new();
        match field(external) {
            Some(f) if f["externalId"] == true && f["unique"] == true => {}
            Some(_) => missing.push(format!("{external} exists but must be marked External ID and Unique")),
            None => missing.push(format!("{external}: Text(36), External ID, Unique (holds our customer id)")),
        }
        if field(version).is_none() {
            missing.push(format!("{version}: Number(18, 0) (holds the version we last wrote)"));
        }
        if missing.is_empty() {
            return Ok(());
        }
        let what = missing.join("; ");
        Err(SyncError::Permanent {
            message: format!("create these custom fields on Contact (Setup, Object Manager, Contact, Fields & Relationships): {what}"),
        })
    }

    async fn find(&self, our_id: Uuid, _lookup_keys: &[String]) -> Result<Option<String>, SyncError> {
        let soql = format!("SELECT Id FROM Contact WHERE {} = {}", self.fields.external_id, quoted(&our_id.to_string()));
        let answer = self.call(Method::GET, &format!("/query?q={}", urlencode(&soql)), None).await?;
        Ok(answer.body["records"].as_array().and_then(|r| r.first()).and_then(|c| c["Id"].as_str()).map(str::to_owned))
    }

    async fn create(&self, record: &CustomerRecord, _idempotency_key: &str) -> Result<String, SyncError> {
        let path = format!("/sobjects/Contact/{}/{}", self.fields.external_id, record.id);
        let answer = match self.call(Method::PATCH, &path, Some(&self.body(record)?)).await {
            // An upsert makes what it does not find: a 404 is the setup.
            Err(SyncError::Missing { message } | SyncError::Gone { message }) => {
                return Err(SyncError::Missing { message: format!("{message} (the upsert by {}: the field is missing, renamed or hidden from the API user by field-level security; nothing was created, and the customer waits until it is fixed)", self.fields.external_id) });
            }
            other => other?,
        };
        let id = answer.body["id"].as_str().map(str::to_owned);
        id.ok_or_else(|| SyncError::Permanent { message: format!("Salesforce's upsert answer has no id: {}", answer.body) })
    }

    async fn update(
        &self,
        external_id: &str,
        record: &CustomerRecord,
        _idempotency_key: &str,
        unmodified_since: Option<DateTime<Utc>>,
    ) -> Result<(), SyncError> {
        // By its Id, not an upsert: a Contact deleted there must come back as
        // Gone, not be made again.
        let path = format!("/sobjects/Contact/{external_id}");
        let body = self.body(record)?;
        let mut headers = self.headers();
        if let Some(since) = unmodified_since {
            headers.push(("If-Unmodified-Since", since.format("%a, %d %b %Y %H:%M:%S GMT").to_string()));
        }
        match self.call_with(Method::PATCH, &path, Some(&body), headers).await {
            Err(SyncError::Superseded { message }) => {
                self.ours_already(&path, &body).await?.then_some(()).ok_or(SyncError::Superseded { message })
            }
            Err(SyncError::Gone { message }) => Err(crate::deleted::confirm(&self.http, external_id, &message, true).await),
            Err(SyncError::Missing { message }) => Err(crate::deleted::confirm(&self.http, external_id, &message, false).await),
            other => other.map(drop),
        }
    }

    /// Done when deleted there already; a Contact merged into another is
    /// the person still, so the delete goes on to the master.
    async fn delete(&self, external_id: &str, _idempotency_key: &str) -> Result<(), SyncError> {
        let error = match self.call(Method::DELETE, &format!("/sobjects/Contact/{external_id}"), None).await {
            Ok(_) => return Ok(()),
            Err(SyncError::Gone { message }) => crate::deleted::confirm(&self.http, external_id, &message, true).await,
            Err(SyncError::Missing { message }) => crate::deleted::confirm(&self.http, external_id, &message, false).await,
            Err(e) => e,
        };
        match error {
            SyncError::Gone { .. } => Ok(()),
            other => Err(other),
        }
    }
}

/// Percent-encodes a query value (SOQL in a URL).
pub(crate) fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn soql_values_are_quoted_and_urls_encoded() {
        assert_eq!(super::quoted("a'b\\c"), "'a\\'b\\\\c'");
        assert_eq!(super::urlencode("SELECT Id = 'x'"), "SELECT%20Id%20%3D%20%27x%27");
    }
}
