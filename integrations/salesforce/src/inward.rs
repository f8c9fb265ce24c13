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
    match read(http, path).await? {
        Ok(answer) => Ok(answer),
        Err(mapped) => Err(error_of(http, mapped)),
    }
}

/// A successful answer, or what Salesforce's refusal means.
async fn read(http: &SalesforceHttp, path: &str) -> Result<Result<Answer, Mapped>, SyncError> {
    let answer = http.call(Method::GET, path, None, &[]).await?;
    if answer.status.is_success() {
        return Ok(Ok(answer));
    }
    Ok(Err(map(answer.status.as_u16(), &answer.raw)))
}

fn error_of(http: &SalesforceHttp, mapped: Mapped) -> SyncError {
    match mapped {
        Mapped::Error(e) => e,
        Mapped::QuotaSpent(message) => SyncError::Transient { message, retry_after: Some(http.quota_wait()) },
        other => SyncError::Transient { message: format!("Salesforce refused a read: {other:?}"), retry_after: None },
    }
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

    fn clock_offset(&self) -> chrono::TimeDelta {
        self.http.clock_offset()
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

    /// Ordered by (`SystemModstamp`, `Id`), so that a listing whose query
    /// locator expired (a slow reconcile) starts again after the last record
    /// it listed instead of failing: the cursor carries that record.
    async fn list_page(&self, after: Option<&str>) -> Result<Page<RemoteCustomer>, SyncError> {
        let ordered = |filter: String| format!("{}{filter} ORDER BY SystemModstamp, Id", select(&self.fields));
        let first = || format!("/query?q={}", crate::contact_calls::urlencode(&ordered(String::new())));
        let (path, last) = match after.and_then(Resume::parse) {
            Some(resume) => (resume.next, Some((resume.stamp, resume.id))),
            None => (first(), None),
        };
        let mut body = match (read(&self.http, &path).await?, &last) {
            (Ok(page), _) => page.body,
            (Err(Mapped::LocatorExpired(why)), Some((stamp, _))) => {
                log::info!("reconcile: {why}; listing Salesforce's Contacts again from the last one listed");
                let since = format!(" WHERE SystemModstamp >= {}", soql_time(stamp.div_euclid(1_000)));
                get(&self.http, &format!("/query?q={}", crate::contact_calls::urlencode(&ordered(since)))).await?.body
            }
            (Err(mapped), _) => return Err(error_of(&self.http, mapped)),
        };
        let rows = body["records"].as_array_mut().map(std::mem::take).unwrap_or_default();
        // Again from a whole second: what was listed already is left out.
        let rows: Vec<Value> =
            rows.into_iter().filter(|row| last.as_ref().is_none_or(|last| Resume::key(row) > Some(last.clone()))).collect();
        let next = body["nextRecordsUrl"].as_str().filter(|_| body["done"] != true);
        // A page read again may hold nothing new: the last one listed stays.
        let last = rows.last().and_then(Resume::key).or(last);
        let cursor = next.zip(last).map(|(next, (stamp, id))| format!("{next}#{stamp}#{id}"));
        let records = rows.iter().filter_map(|c| self.record(c, false)).collect();
        Ok(Page { records, next: cursor })
    }
}

/// Where a listing goes on: the next page's locator, and the last record
/// listed (its `SystemModstamp` in unix milliseconds, its `Id`), written
/// `<next>#<stamp>#<id>` (no locator URL holds a `#`).
struct Resume {
    next: String,
    stamp: i64,
    id: String,
}

impl Resume {
    fn key(row: &Value) -> Option<(i64, String)> {
        let stamp = chrono::DateTime::parse_from_str(row["SystemModstamp"].as_str()?, "%Y-%m-%dT%H:%M:%S%.3f%z").ok()?;
        Some((stamp.timestamp_millis(), row["Id"].as_str()?.to_owned()))
    }

    fn parse(cursor: &str) -> Option<Self> {
        let mut parts = cursor.rsplitn(3, '#');
        let (id, stamp, next) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?);
        Some(Self { next: next.to_owned(), stamp, id: id.to_owned() })
    }
}
