//! Salesforce's Contacts as the customer catalog's source: the polled
//! changes (`feed`) decoded, one Contact read, all of them listed for
//! reconcile; and what the feed and the source share.

use std::sync::Arc;

use customer_catalog::{Customers, RemoteCustomer};
use reqwest::Method;
use serde_json::{json, Value};
use sync_core::inward::{Envelope, Page, RemoteRecord, Source};
use sync_core::SyncError;

use crate::client::{Answer, SalesforceHttp};
use crate::contacts::Fields;
use crate::errors::{map, Mapped};
use crate::names;

const SALESFORCE: &str = "salesforce";

pub use crate::feed::SalesforceFeed;

/// Salesforce's Contacts, as the customer catalog's source.
pub struct SalesforceContactSource {
    http: Arc<SalesforceHttp>,
    fields: Fields,
}

impl SalesforceContactSource {
    pub fn new(http: Arc<SalesforceHttp>, fields: Fields) -> Self {
        Self { http, fields }
    }
}

pub(crate) fn select(fields: &Fields) -> String {
    format!(
        "SELECT Id, FirstName, LastName, Email, {}, {}, SystemModstamp, IsDeleted, MasterRecordId FROM Contact",
        fields.external_id, fields.version
    )
}

/// A successful answer, or the error it maps to.
pub(crate) async fn get(http: &SalesforceHttp, path: &str) -> Result<Answer, SyncError> {
    let answer = http.call(Method::GET, path, None, &[]).await?;
    if answer.status.is_success() {
        return Ok(answer);
    }
    Err(match map(answer.status.as_u16(), &answer.raw) {
        Mapped::Error(e) => e,
        Mapped::QuotaSpent(message) => SyncError::Transient { message, retry_after: Some(http.quota_wait()) },
        other => SyncError::Transient { message: format!("Salesforce answered {}: {other:?}", answer.status), retry_after: None },
    })
}

pub(crate) fn soql_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn unix(stamp: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S%.3f%z").ok().map(|t| t.timestamp())
}

pub(crate) fn event(id: String, deleted: bool, created: i64, record: Value) -> Value {
    json!({"id": id, "type": if deleted { "contact.deleted" } else { "contact.changed" }, "created": created, "record": record})
}

impl SalesforceContactSource {
    fn record(&self, contact: &Value, deleted: bool) -> Option<RemoteRecord<RemoteCustomer>> {
        let text = |key: &str| contact.get(key).and_then(Value::as_str);
        let version = &contact[&self.fields.version];
        Some(RemoteRecord {
            external_id: text("Id")?.to_owned(),
            our_id: text(&self.fields.external_id).and_then(|id| uuid::Uuid::parse_str(id.trim()).ok()),
            written_version: version
                .as_i64()
                .or_else(|| version.as_f64().map(|v| v as i64))
                .or_else(|| version.as_str()?.trim().parse().ok())
                .unwrap_or(0),
            deleted: deleted || contact["IsDeleted"] == true,
            merged_into: crate::deleted::master_of(contact).filter(|_| deleted || contact["IsDeleted"] == true),
            values: RemoteCustomer { name: names::join(text("FirstName"), text("LastName")), email: text("Email").map(str::to_owned) },
            snapshot: contact.clone(),
        })
    }
}

impl Source<Customers> for SalesforceContactSource {
    fn integration(&self) -> &'static str {
        SALESFORCE
    }

    fn display_name(&self) -> &'static str {
        "Salesforce"
    }

    fn decode(&self, envelope: &Envelope, event: &Value) -> Result<Option<RemoteRecord<RemoteCustomer>>, String> {
        if !envelope.kind.starts_with("contact.") {
            return Ok(None);
        }
        let record = self.record(&event["record"], envelope.kind == "contact.deleted").ok_or("the change has no Contact Id")?;
        Ok(Some(record))
    }

    /// Read by `queryAll`, which also lists a Contact deleted (or merged
    /// away) and still in the recycle bin; one it does not list at all is
    /// `Missing` (hidden from the API user, purged, or another org), not a
    /// delete.
    async fn get(&self, external_id: &str) -> Result<RemoteRecord<RemoteCustomer>, SyncError> {
        match crate::deleted::read_all(&self.http, &select(&self.fields), external_id).await? {
            Some(contact) => self.record(&contact, false).ok_or_else(|| SyncError::Permanent { message: "a Contact without Id".into() }),
            None => Err(SyncError::Missing {
                message: format!(
                    "Salesforce does not list Contact {external_id}, and does not say it was deleted: hidden from the \
                     API user (sharing, field-level security), purged from the recycle bin, or in another org. Nothing is deleted"
                ),
            }),
        }
    }

    async fn list_page(&self, after: Option<&str>) -> Result<Page<RemoteCustomer>, SyncError> {
        let path = match after {
            Some(next) => next.to_owned(),
            None => format!("/query?q={}", crate::contacts::urlencode(&format!("{} ORDER BY SystemModstamp, Id", select(&self.fields)))),
        };
        let page = get(&self.http, &path).await?;
        let records = page.body["records"].as_array().into_iter().flatten().filter_map(|c| self.record(c, false)).collect();
        let next = page.body["nextRecordsUrl"].as_str().filter(|_| page.body["done"] != true).map(str::to_owned);
        Ok(Page { records, next })
    }
}
