//! An update made conditional with `If-Unmodified-Since`
//! (intro_rest_conditional_requests): the later edit wins, so ours is
//! written only if the Contact did not change after it was made. The date
//! is on Salesforce's clock (ours shifted by what its answers' `Date` say).
//! A 412 is read back before it is believed: the Contact may hold exactly
//! this write (a resend of ours that had landed), or exactly what our last
//! answered write left (the clocks disagree by more than the shift shows,
//! or Salesforce compares finer than the header's whole second). Both are
//! our own hand, and the write goes through; anything else is a later edit
//! there, and wins.

use chrono::{DateTime, Utc};
use customer_catalog::{CustomerRecord, Customers};
use reqwest::Method;
use serde_json::Value;
use sync_core::{Catalog, Precondition, SyncError};

use crate::contact_calls::holds;
use crate::contacts::SalesforceContacts;
use crate::names;

fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The whole second at or after `at`: a header date no finer than that
/// still covers a change made within it.
fn second_after(at: DateTime<Utc>) -> DateTime<Utc> {
    let floor = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
    if floor < at {
        floor + chrono::TimeDelta::seconds(1)
    } else {
        floor
    }
}

impl SalesforceContacts {
    pub(crate) async fn update_on(&self, path: &str, body: &Value, precondition: Option<&Precondition>) -> Result<(), SyncError> {
        let mut headers = self.headers();
        if let Some(precondition) = precondition {
            headers.push(("If-Unmodified-Since", http_date(self.http.to_server_time(precondition.since).await?)));
        }
        let refused = match self.call_with(Method::PATCH, path, Some(body), headers).await {
            Err(SyncError::Superseded { message }) => message,
            other => return other.map(drop),
        };
        let held = self.read(path, body, &["LastModifiedDate"]).await?;
        if holds(&held, body) {
            return Ok(());
        }
        let Some((version, fingerprint)) = precondition.and_then(|p| p.ours.as_ref()) else {
            return Err(SyncError::Superseded { message: refused });
        };
        if !self.left_by(&held, *version, fingerprint) {
            return Err(SyncError::Superseded { message: refused });
        }
        // Changed since by our last write only: again, on the Contact's own stamp.
        let stamp = held["LastModifiedDate"].as_str().and_then(|s| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3f%z").ok());
        let Some(stamp) = stamp else { return Err(SyncError::Superseded { message: refused }) };
        let mut headers = self.headers();
        headers.push(("If-Unmodified-Since", http_date(second_after(stamp.with_timezone(&Utc)))));
        self.call_with(Method::PATCH, path, Some(body), headers).await.map(drop)
    }

    /// Whether the Contact holds exactly what our write of `version` left.
    fn left_by(&self, held: &Value, version: i64, fingerprint: &str) -> bool {
        let number = &held[&self.fields.version];
        let written = number.as_i64().or_else(|| number.as_f64().map(|v| v as i64));
        let text = |key: &str| held[key].as_str();
        let values = CustomerRecord {
            id: uuid::Uuid::nil(),
            version,
            name: names::join(text("FirstName"), text("LastName")).unwrap_or_default(),
            email: text("Email").unwrap_or_default().to_owned(),
        };
        written == Some(version) && <Customers as Catalog>::fingerprint(&values) == fingerprint
    }
}
