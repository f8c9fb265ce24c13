//! The invoices of both sides as they ended: every local invoice (deleted
//! drafts too) with its Stripe link, read straight from PostgreSQL, and
//! every live Stripe invoice with all its lines, read from what the double
//! holds (not through its faults).

use anyhow::Context;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize, diesel::QueryableByName)]
pub struct LocalInvoice {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub customer_id: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub description: Option<String>,
    #[diesel(sql_type = Text)]
    pub collection_method: String,
    /// `[{"id", "description", "quantity", "unit_amount"}]` as JSON text.
    #[diesel(sql_type = Text)]
    pub lines: String,
    /// `{key: value}` as JSON text.
    #[diesel(sql_type = Text)]
    pub metadata: String,
    #[diesel(sql_type = Bool)]
    pub deleted: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub external_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub link_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
}

/// A Stripe invoice line as the comparison reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteLine {
    pub id: String,
    pub description: Option<String>,
    /// `quantity_decimal` as Stripe keeps it.
    pub quantity: String,
    pub amount: i64,
    /// `metadata.catalog_sync_line`: the local line it stands for.
    pub ours: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemoteInvoice {
    pub id: String,
    pub customer: String,
    pub status: String,
    pub currency: String,
    pub description: Option<String>,
    pub collection_method: String,
    pub metadata: serde_json::Map<String, Value>,
    /// `metadata.catalog_sync_id`: the local invoice it stands for.
    pub ours: Option<String>,
    pub lines: Vec<RemoteLine>,
}

pub struct InvoiceSnapshot {
    pub local: Vec<LocalInvoice>,
    pub remote: Vec<RemoteInvoice>,
}

const LOCAL: &str = "SELECT i.id::text AS id, i.customer_id::text AS customer_id, i.status, i.currency, i.description, \
     i.collection_method, i.lines::text AS lines, i.metadata::text AS metadata, i.deleted_at IS NOT NULL AS deleted, \
     l.external_id, l.status AS link_status, l.last_error \
     FROM invoices i \
     LEFT JOIN sync_links l ON l.entity_id = i.id AND l.integration = 'stripe' AND l.entity_type = 'invoice' \
     ORDER BY i.id";

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

impl RemoteInvoice {
    pub fn from_value(value: &Value, lines: &[Value]) -> Option<Self> {
        let metadata = value["metadata"].as_object().cloned().unwrap_or_default();
        Some(Self {
            id: text(&value["id"])?,
            customer: text(&value["customer"]).unwrap_or_default(),
            status: text(&value["status"]).unwrap_or_default(),
            currency: text(&value["currency"]).unwrap_or_default(),
            description: text(&value["description"]),
            collection_method: text(&value["collection_method"]).unwrap_or_default(),
            ours: metadata.get("catalog_sync_id").and_then(Value::as_str).map(str::to_owned),
            metadata,
            lines: lines
                .iter()
                .map(|l| RemoteLine {
                    id: text(&l["id"]).unwrap_or_default(),
                    description: text(&l["description"]),
                    quantity: text(&l["quantity_decimal"]).unwrap_or_else(|| l["quantity"].to_string()),
                    amount: l["amount"].as_i64().unwrap_or_default(),
                    ours: text(&l["metadata"]["catalog_sync_line"]),
                })
                .collect(),
        })
    }
}

impl InvoiceSnapshot {
    pub async fn read(db_url: &str, double: &testkit::StripeDouble) -> anyhow::Result<Self> {
        let mut conn = AsyncPgConnection::establish(db_url).await.context("connecting to read the invoices")?;
        let local: Vec<LocalInvoice> = diesel::sql_query(LOCAL).load(&mut conn).await.context("reading the local invoices")?;
        let mut remote = Vec::new();
        for invoice in double.invoices() {
            let mut lines = invoice["lines"]["data"].as_array().cloned().unwrap_or_default();
            if invoice["lines"]["has_more"] == true {
                // More than are embedded: every line from the lines list.
                let path = format!("/v1/invoices/{}/lines", invoice["id"].as_str().unwrap_or_default());
                let (_, all) = double.dashboard("GET", &path, &[("limit", "100")]);
                lines = all["data"].as_array().cloned().unwrap_or_default();
            }
            remote.extend(RemoteInvoice::from_value(&invoice, &lines));
        }
        Ok(Self { local, remote })
    }
}
