//! The invoice catalog as the sync core sees it: its record as written to
//! an integration, how it is loaded and fingerprinted, and how a delete
//! found outside is applied to it (here); how it waits for its customer
//! to be linked in the integration first (`customer_first`).

mod customer_first;
mod inward;
mod outside;

pub use outside::{Accepted, OutsideInvoice, OutsideLine};

use std::collections::BTreeMap;

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use shared_models::db::invoices;
use shared_models::domain::invoice::{CollectionMethod, InvoiceLine, InvoiceStatus};
use shared_models::sync::{fingerprint, INVOICE};
use sync_core::{Catalog, Readiness, Snapshot};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRecord {
    pub id: Uuid,
    /// Written to the outside invoice with it (metadata): an outside event
    /// then tells which of our writes it came after.
    pub version: i64,
    pub customer_id: Uuid,
    /// The customer's id in the integration the record is written to: set
    /// by `prepare` once the customer is linked there.
    #[serde(default)]
    pub customer_external_id: Option<String>,
    pub currency: String,
    pub description: Option<String>,
    pub collection_method: CollectionMethod,
    pub days_until_due: Option<i32>,
    pub status: InvoiceStatus,
    pub lines: Vec<InvoiceLine>,
    /// The product's own metadata (never the sync's keys).
    pub metadata: BTreeMap<String, String>,
}

/// The fields of an invoice that are synced, fingerprinted: what we wrote
/// to an integration is compared with what its events carry. Lines count
/// by what they bill, sorted (see [`InvoiceRecord::billed`]).
pub fn invoice_fingerprint(
    status: InvoiceStatus,
    description: Option<&str>,
    lines: &[(String, i64, i64)],
    metadata: &BTreeMap<String, String>,
) -> String {
    let lines = serde_json::to_string(lines).unwrap_or_default();
    let metadata = serde_json::to_string(metadata).unwrap_or_default();
    fingerprint(&[status.as_str(), description.unwrap_or(""), &lines, &metadata])
}

impl InvoiceRecord {
    /// Lines as (description, quantity, unit amount), sorted: an
    /// integration may keep them in another order.
    pub fn billed(&self) -> Vec<(String, i64, i64)> {
        let mut billed: Vec<_> = self.lines.iter().map(|l| (l.description.clone(), l.quantity, l.unit_amount)).collect();
        billed.sort();
        billed
    }
}

/// The invoice catalog.
pub struct Invoices;

/// A row as the sync writes it out.
fn record(i: invoices::Invoice) -> InvoiceRecord {
    InvoiceRecord {
        id: i.id,
        version: i.version,
        customer_id: i.customer_id,
        customer_external_id: None,
        currency: i.currency,
        description: i.description,
        collection_method: i.collection_method,
        days_until_due: i.days_until_due,
        status: i.status,
        lines: i.lines.as_slice().to_vec(),
        metadata: i.metadata.entries().clone(),
    }
}

impl Catalog for Invoices {
    type Record = InvoiceRecord;
    const ENTITY_TYPE: &'static str = INVOICE;

    async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Snapshot<InvoiceRecord>>, diesel::result::Error> {
        Ok(invoices::find_any(conn, id).await?.map(|i| Snapshot {
            version: i.version,
            updated_at: i.updated_at,
            deleted: i.deleted_at.is_some(),
            record: record(i),
        }))
    }

    async fn prepare(
        conn: &mut AsyncPgConnection,
        integration: &str,
        record: &mut InvoiceRecord,
    ) -> Result<Readiness, diesel::result::Error> {
        customer_first::prepare(conn, integration, record).await
    }

    /// Outside invoices are listed by customer: the customer's outside id.
    fn lookup_key(record: &InvoiceRecord) -> String {
        record.customer_external_id.clone().unwrap_or_default()
    }

    fn fingerprint(record: &InvoiceRecord) -> String {
        invoice_fingerprint(record.status, record.description.as_deref(), &record.billed(), &record.metadata)
    }
}
