//! The bodies of the invoice routes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_models::db::invoices::Invoice;
use shared_models::db::sync_conflicts::SyncConflict;
use shared_models::db::sync_links::SyncLink;
use shared_models::domain::invoice::{CollectionMethod, InvoiceLine, InvoiceStatus};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::views::{sync_views, SyncView};

/// An invoice as the API shows it, with its sync state per integration.
/// The fields from `number` to `hosted_invoice_url` are Stripe's, mirrored
/// here read only: null until Stripe has said (a draft has no number).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[schema(example = json!({
    "id": "01a1fd2c-0a23-77d9-beaf-fcacee796d7e",
    "customer_id": "01a1fd2b-ff10-7c4e-9a1e-2f4b3a1c9d01",
    "status": "open",
    "currency": "usd",
    "collection_method": "send_invoice",
    "days_until_due": 30,
    "description": "November's work",
    "lines": [{"id": "01a1fd2c-0a24-7c11-8f0e-5b2d7e1a3c44", "description": "Consulting", "quantity": 3, "unit_amount": 12000}],
    "metadata": {"order": "42"},
    "number": "4F2A1C-0001",
    "total": 36000,
    "amount_due": 36000,
    "amount_paid": 0,
    "amount_remaining": 36000,
    "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_YWNjdF8x",
    "version": 2,
    "created_at": "2026-12-01T08:14:44.259144Z",
    "updated_at": "2026-12-01T08:15:02.118402Z",
    "sync": {"stripe": {
        "status": "synced", "external_id": "in_1QZ2aB2eZvKYlo2C", "last_error": null, "attempts": 0,
        "synced_version": 2, "synced_at": "2026-12-01T08:15:02.190258Z", "conflict": null
    }}
}))]
pub struct InvoiceView {
    pub id: Uuid,
    /// The local customer it bills; never changes.
    pub customer_id: Uuid,
    pub status: InvoiceStatus,
    /// ISO 4217, lower-case.
    pub currency: String,
    pub collection_method: CollectionMethod,
    /// With `send_invoice` only.
    pub days_until_due: Option<i32>,
    pub description: Option<String>,
    pub lines: Vec<InvoiceLine>,
    pub metadata: BTreeMap<String, String>,
    /// Stripe's invoice number, once finalized.
    pub number: Option<String>,
    /// In minor units, as Stripe computed them.
    pub total: Option<i64>,
    pub amount_due: Option<i64>,
    pub amount_paid: Option<i64>,
    pub amount_remaining: Option<i64>,
    /// Where the customer sees and pays it, once finalized.
    pub hosted_invoice_url: Option<String>,
    /// Goes up by one with every change.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The invoice's state in each integration that syncs invoices
    /// (`stripe`). An invoice waits, `pending`, until its customer is
    /// in the integration; `last_error` then says so.
    pub sync: BTreeMap<String, SyncView>,
}

/// One page of invoices, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoicePage {
    pub data: Vec<InvoiceView>,
    /// Whether invoices follow this page.
    pub has_more: bool,
    /// Pass as `starting_after` to get the next page; null on the last page.
    pub next_cursor: Option<Uuid>,
}

impl InvoiceView {
    pub fn new(invoice: Invoice, links: Vec<SyncLink>, conflicts: &[SyncConflict]) -> Self {
        Self {
            id: invoice.id,
            customer_id: invoice.customer_id,
            status: invoice.status,
            currency: invoice.currency,
            collection_method: invoice.collection_method,
            days_until_due: invoice.days_until_due,
            description: invoice.description,
            lines: invoice.lines.as_slice().to_vec(),
            metadata: invoice.metadata.entries().clone(),
            number: invoice.mirrored.number,
            total: invoice.mirrored.total,
            amount_due: invoice.mirrored.amount_due,
            amount_paid: invoice.mirrored.amount_paid,
            amount_remaining: invoice.mirrored.amount_remaining,
            hosted_invoice_url: invoice.mirrored.hosted_invoice_url,
            version: invoice.version,
            created_at: invoice.created_at,
            updated_at: invoice.updated_at,
            sync: sync_views(links, conflicts),
        }
    }
}
