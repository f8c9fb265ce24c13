//! The Contact connector's calls: the body a write sends, the headers every
//! write carries, and Salesforce's refusals read as what the sync does next.

use customer_catalog::CustomerRecord;
use reqwest::Method;
use serde_json::{json, Value};
use sync_core::SyncError;

use crate::client::Answer;
use crate::contacts::{DuplicateRule, SalesforceContacts};
use crate::errors::{map, Mapped};
use crate::names;

/// Salesforce holds an Email of 80 characters at most (Contact field
/// reference; help 000384328), where our catalog takes up to 254.
const EMAIL_MAX: usize = 80;

impl SalesforceContacts {
    /// What a write sends: the name split into Salesforce's two fields, the
    /// email, the version written; and, to an existing Contact, our id (a
    /// Contact linked by a duplicate rule or a merge carries it from then
    /// on). A value Salesforce cannot hold is refused here, with no call.
    pub(crate) fn body(&self, record: &CustomerRecord, with_our_id: bool) -> Result<Value, SyncError> {
        let rejected = |why: String| SyncError::Rejected { message: format!("Salesforce cannot hold this customer: {why}") };
        let name = names::split(&record.name).map_err(|e| rejected(e.to_string()))?;
        if record.email.chars().count() > EMAIL_MAX {
            return Err(rejected(format!("its email is longer than the {EMAIL_MAX} characters of a Contact's Email")));
        }
        let mut body = json!({"FirstName": name.first, "LastName": name.last, "Email": record.email});
        body[&self.fields.version] = json!(record.version);
        if with_our_id {
            body[&self.fields.external_id] = json!(record.id.to_string());
        }
        Ok(body)
    }

    pub(crate) fn headers(&self) -> Vec<(&'static str, String)> {
        match self.duplicates {
            DuplicateRule::Respect => Vec::new(),
            DuplicateRule::AllowSave => vec![("Sforce-Duplicate-Rule-Header", "allowSave=true".to_owned())],
        }
    }

    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer, SyncError> {
        self.call_with(method, path, body, self.headers()).await
    }

    pub(crate) async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: Vec<(&str, String)>,
    ) -> Result<Answer, SyncError> {
        let answer = self.http.call(method, path, body, &headers).await?;
        if answer.status.is_success() {
            return Ok(answer);
        }
        Err(match map(answer.status.as_u16(), &answer.raw) {
            Mapped::Error(e) => e,
            // Confirmed (or not) by the caller that knows the record.
            Mapped::NotFound(message) => SyncError::Missing { message },
            Mapped::LocatorExpired(message) => SyncError::Transient { message, retry_after: None },
            // One record matched: the caller decides whether it is ours.
            Mapped::Duplicate { message, matches } if matches.len() == 1 => SyncError::Matched {
                message: format!("Salesforce's duplicate rule matched Contact {}: {message}", matches[0]),
                existing: matches[0].clone(),
            },
            Mapped::Duplicate { message, matches } => SyncError::Permanent {
                message: format!(
                    "duplicate: Salesforce's duplicate rule matched {} Contacts ({}): {message}",
                    matches.len(),
                    matches.join(", ")
                ),
            },
            Mapped::QuotaSpent(message) => SyncError::Transient { message, retry_after: Some(self.http.quota_wait()) },
            Mapped::TokenExpired => SyncError::Transient { message: "Salesforce refused a fresh token".into(), retry_after: None },
            Mapped::Changed => SyncError::Superseded { message: "the Contact changed in Salesforce after this edit (412)".into() },
        })
    }

    /// The Contact's fields named in `body` (and `also`), as Salesforce holds them.
    pub(crate) async fn read(&self, path: &str, body: &Value, also: &[&str]) -> Result<Value, SyncError> {
        let mut fields: Vec<&str> = body.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        fields.extend_from_slice(also);
        Ok(self.call(Method::GET, &format!("{path}?fields={}", fields.join(",")), None).await?.body)
    }
}

/// Whether the Contact holds exactly `body`, field by field.
pub(crate) fn holds(held: &Value, body: &Value) -> bool {
    body.as_object().is_some_and(|fields| fields.keys().all(|f| same(&held[f], &body[f])))
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

pub(crate) fn quoted(value: &str) -> String {
    // SOQL string literal: backslash and quote escaped (our ids are UUIDs anyway).
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
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
