//! Salesforce read by the sync core. Salesforce sends no webhooks here: its
//! changes are polled. The `Feed` reads `queryAll` on `SystemModstamp` (soft
//! deletes included) and `/deleted/` (hard deletes), and makes each change
//! an event keyed `<Id>@<SystemModstamp>`, so the inbox drops what an
//! overlapping poll reads again. The `Source` decodes those events, reads one
//! Contact, and lists them all for reconcile.

use std::sync::Arc;

use async_trait::async_trait;
use customer_catalog::{Customers, RemoteCustomer};
use reqwest::Method;
use serde_json::{json, Value};
use sync_core::inward::{Envelope, Feed, Page, Refusal, RemoteRecord, Source};
use sync_core::SyncError;

use crate::client::{Answer, SalesforceHttp};
use crate::contacts::Fields;
use crate::errors::{map, Mapped};
use crate::names;

const SALESFORCE: &str = "salesforce";
/// How far back `/deleted/` answers (Salesforce keeps 15 days), less a margin.
const DELETED_WINDOW_SECONDS: i64 = 15 * 24 * 3_600 - 3_600;

/// Salesforce's changes, polled.
pub struct SalesforceFeed {
    http: Arc<SalesforceHttp>,
    fields: Fields,
}

/// Salesforce's Contacts, as the customer catalog's source.
pub struct SalesforceContactSource {
    http: Arc<SalesforceHttp>,
    fields: Fields,
}

impl SalesforceFeed {
    pub fn new(http: Arc<SalesforceHttp>, fields: Fields) -> Self {
        Self { http, fields }
    }
}

impl SalesforceContactSource {
    pub fn new(http: Arc<SalesforceHttp>, fields: Fields) -> Self {
        Self { http, fields }
    }
}

fn select(fields: &Fields) -> String {
    format!("SELECT Id, FirstName, LastName, Email, {}, {}, SystemModstamp, IsDeleted FROM Contact", fields.external_id, fields.version)
}

/// A successful answer, or the error it maps to.
async fn get(http: &SalesforceHttp, path: &str) -> Result<Answer, SyncError> {
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

fn soql_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn unix(stamp: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S%.3f%z").ok().map(|t| t.timestamp())
}

fn event(id: String, deleted: bool, created: i64, record: Value) -> Value {
    json!({"id": id, "type": if deleted { "contact.deleted" } else { "contact.changed" }, "created": created, "record": record})
}

#[async_trait]
impl Feed for SalesforceFeed {
    fn integration(&self) -> &'static str {
        SALESFORCE
    }

    fn signature_header(&self) -> &'static str {
        "X-Salesforce-Signature"
    }

    fn verify(&self, _signature: Option<&str>, _body: &[u8], _now: i64) -> Result<(), Refusal> {
        Err(Refusal::new("not_found", "Salesforce's changes are polled; it delivers no webhooks here"))
    }

    fn envelope(&self, event: &Value) -> Result<Envelope, Refusal> {
        let text = |key: &str| event.get(key).and_then(Value::as_str).filter(|s| !s.is_empty() && s.len() <= 255).map(str::to_owned);
        match (text("id"), text("type"), event.get("created").and_then(Value::as_i64)) {
            (Some(id), Some(kind), Some(created)) => Ok(Envelope { id, kind, created }),
            _ => Err(Refusal::new("invalid_event", "not a polled Salesforce change")),
        }
    }

    async fn retrieve(&self, _id: &str) -> Result<Option<Value>, SyncError> {
        // Polled changes come from Salesforce itself: nothing to confirm.
        Ok(None)
    }

    async fn events_since(&self, from: i64) -> Result<(Vec<Value>, bool), SyncError> {
        let soql = format!("{} WHERE SystemModstamp >= {} ORDER BY SystemModstamp, Id", select(&self.fields), soql_time(from));
        let mut events = Vec::new();
        let mut path = format!("/queryAll?q={}", crate::contacts::urlencode(&soql));
        loop {
            let page = get(&self.http, &path).await?;
            for record in page.body["records"].as_array().into_iter().flatten() {
                let (Some(id), Some(stamp)) = (record["Id"].as_str(), record["SystemModstamp"].as_str()) else { continue };
                let Some(created) = unix(stamp) else { continue };
                events.push(event(format!("{id}@{stamp}"), record["IsDeleted"] == true, created, record.clone()));
            }
            match page.body["nextRecordsUrl"].as_str() {
                Some(next) if page.body["done"] != true => path = next.to_owned(),
                _ => break,
            }
        }
        // Hard deletes (the recycle bin emptied) are only in `/deleted/`. Its
        // windows are whole minutes, the current one included only when
        // `end` lies past it; and a delete's minute may be covered late, so
        // the window reaches five minutes behind the cursor (the inbox drops
        // the repeats: a delete's key is `<Id>@deleted`).
        let now = chrono::Utc::now().timestamp();
        let start = (from - 300).max(now - DELETED_WINDOW_SECONDS);
        {
            let path = format!("/sobjects/Contact/deleted/?start={}&end={}", soql_time(start), soql_time(now + 60));
            let deleted = get(&self.http, &path).await?;
            for gone in deleted.body["deletedRecords"].as_array().into_iter().flatten() {
                let (Some(id), Some(at)) = (gone["id"].as_str(), gone["deletedDate"].as_str().and_then(unix)) else { continue };
                events.push(event(format!("{id}@deleted"), true, at, json!({"Id": id, "IsDeleted": true})));
            }
        }
        Ok((events, true))
    }
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

    async fn get(&self, external_id: &str) -> Result<RemoteRecord<RemoteCustomer>, SyncError> {
        let gone = || self.record(&json!({"Id": external_id}), true).ok_or_else(|| SyncError::Permanent { message: "no id".into() });
        if external_id.is_empty() || !external_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return gone();
        }
        match get(&self.http, &format!("/sobjects/Contact/{external_id}")).await {
            Ok(answer) => self.record(&answer.body, false).ok_or_else(|| SyncError::Permanent { message: "a Contact without Id".into() }),
            Err(SyncError::Gone { .. }) => gone(),
            Err(e) => Err(e),
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
