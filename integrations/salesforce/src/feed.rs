//! Salesforce's changes, polled (it sends no webhooks here): `queryAll` on
//! `SystemModstamp` (edits and soft deletes, merges with their master) and
//! the delete log (hard deletes). Each change is an event keyed
//! `<Id>@<SystemModstamp>` (`<Id>@deleted` for the log), so the inbox drops
//! what an overlapping poll reads again. A delete log that cannot be read
//! never holds back the edits read in the same poll.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{json, Value};
use sync_core::inward::{Envelope, Feed, Polled, Refusal};
use sync_core::SyncError;

use crate::client::SalesforceHttp;
use crate::contact_calls::urlencode;
use crate::contacts::Fields;
use crate::inward::{event, get, select, soql_time, unix};
use crate::{deleted, replication};

/// By default each poll reads again the last 11 minutes: a Salesforce
/// transaction may run up to 10 minutes and commits its changes stamped
/// when it made them.
pub const DEFAULT_OVERLAP_SECONDS: i64 = 660;
/// Deleted ids looked up per `queryAll` for the record they were merged into.
const IDS_PER_LOOKUP: usize = 100;

pub struct SalesforceFeed {
    http: Arc<SalesforceHttp>,
    fields: Fields,
    overlap: i64,
    /// Where the delete log starts since a purge: no read starts before it.
    log_starts: Mutex<Option<i64>>,
}

impl SalesforceFeed {
    pub fn new(http: Arc<SalesforceHttp>, fields: Fields) -> Self {
        Self { http, fields, overlap: DEFAULT_OVERLAP_SECONDS, log_starts: Mutex::new(None) }
    }

    /// Reads again `seconds` behind the newest change seen at each poll.
    pub fn with_overlap(mut self, seconds: i64) -> Self {
        self.overlap = seconds.max(0);
        self
    }

    /// Edits and soft deletes (and merges) from `from` on, by `queryAll`.
    async fn changed(&self, from: i64) -> Result<Vec<Value>, SyncError> {
        let soql = format!("{} WHERE SystemModstamp >= {} ORDER BY SystemModstamp, Id", select(&self.fields), soql_time(from));
        let mut rows = Vec::new();
        let mut path = format!("/queryAll?q={}", urlencode(&soql));
        loop {
            let page = get(&self.http, &path).await?;
            rows.extend(page.body["records"].as_array().into_iter().flatten().cloned());
            match page.body["nextRecordsUrl"].as_str() {
                Some(next) if page.body["done"] != true => path = next.to_owned(),
                _ => return Ok(rows),
            }
        }
    }

    /// The record each deleted id was merged into, if a merge deleted it:
    /// from the rows read already, else from `queryAll` (a record still in
    /// the recycle bin). One purged since says nothing: a plain delete.
    async fn masters(&self, ids: &[&str], rows: &[Value]) -> Result<HashMap<String, String>, SyncError> {
        let mut masters: HashMap<String, String> =
            rows.iter().filter_map(|row| Some((row["Id"].as_str()?.to_owned(), deleted::master_of(row)?))).collect();
        let unknown: Vec<&str> = ids.iter().copied().filter(|id| deleted::is_id(id) && !rows.iter().any(|r| r["Id"] == **id)).collect();
        for chunk in unknown.chunks(IDS_PER_LOOKUP) {
            let list = chunk.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(", ");
            let soql = format!("SELECT Id, MasterRecordId FROM Contact WHERE Id IN ({list})");
            let page = get(&self.http, &format!("/queryAll?q={}", urlencode(&soql))).await?;
            for row in page.body["records"].as_array().into_iter().flatten() {
                if let (Some(id), Some(master)) = (row["Id"].as_str(), deleted::master_of(row)) {
                    masters.insert(id.to_owned(), master);
                }
            }
        }
        Ok(masters)
    }
}

#[async_trait]
impl Feed for SalesforceFeed {
    fn integration(&self) -> &'static str {
        "salesforce"
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

    fn poll_overlap(&self) -> i64 {
        self.overlap
    }

    async fn events_since(&self, from: i64) -> Result<Polled, SyncError> {
        let rows = self.changed(from).await?;
        let mut polled = Polled { complete: true, ..Polled::default() };
        for row in &rows {
            let (Some(id), Some(stamp)) = (row["Id"].as_str(), row["SystemModstamp"].as_str()) else { continue };
            let Some(created) = unix(stamp) else { continue };
            polled.events.push(event(format!("{id}@{stamp}"), row["IsDeleted"] == true, created, row.clone()));
        }
        let floor = self.log_starts.lock().ok().and_then(|f| *f);
        let read = match replication::deleted_since(&self.http, floor.map_or(from, |f| from.max(f))).await {
            Ok(read) => read,
            Err(e) => {
                // The edits stand; the deletes are read again next time.
                polled.complete = false;
                polled.problem = Some(format!("Salesforce's delete log could not be read: {e}"));
                return Ok(polled);
            }
        };
        if let (Some(earliest), Ok(mut floor)) = (read.earliest, self.log_starts.lock()) {
            *floor = Some(earliest);
        }
        let ids: Vec<&str> = read.ids.iter().map(|(id, _)| id.as_str()).collect();
        let masters = self.masters(&ids, &rows).await?;
        for (id, at) in &read.ids {
            let record = json!({"Id": id, "IsDeleted": true, "MasterRecordId": masters.get(id)});
            polled.events.push(event(format!("{id}@deleted"), true, *at, record));
        }
        polled.covered_until = read.covered;
        polled.missed = read.missed;
        Ok(polled)
    }
}
