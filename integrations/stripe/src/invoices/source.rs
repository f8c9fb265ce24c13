//! Stripe's invoices as the invoice catalog's source. Its events are only
//! a sign that an invoice changed (`reads_current_state`): a write of ours
//! makes an invoice in several calls, and the events of the half-made
//! states must not be taken for edits, so the invoice is read as it is now.

use std::sync::Arc;

use invoice_catalog::{Invoices, OutsideInvoice, OutsideLine};
use reqwest::Method;
use serde_json::{json, Value};
use shared_models::db::invoices::Mirrored;
use sync_core::inward::{Envelope, Page, RemoteRecord, Source};
use sync_core::SyncError;
use uuid::Uuid;

use super::wire::{RemoteInvoice, RemoteLine, INVOICE_ID_KEY, INVOICE_VERSION_KEY};
use super::{Page as ListPage, StripeInvoices};

/// Invoices read per page of a reconcile.
const PAGE: usize = 100;

pub struct StripeInvoiceSource {
    api: Arc<StripeInvoices>,
}

impl StripeInvoiceSource {
    pub fn new(api: Arc<StripeInvoices>) -> Self {
        Self { api }
    }

    /// The invoice with every line (more than the embedded ones if need be).
    async fn whole(&self, invoice: RemoteInvoice) -> Result<RemoteRecord<OutsideInvoice>, SyncError> {
        let lines = self.api.all_lines(&invoice).await?;
        Ok(record(&invoice, &lines, false))
    }
}

/// An outside invoice as the sync core reads it.
fn record(invoice: &RemoteInvoice, lines: &[RemoteLine], deleted: bool) -> RemoteRecord<OutsideInvoice> {
    let values = OutsideInvoice {
        customer_external_id: invoice.customer_id().map(str::to_owned),
        customer_id: None,
        currency: invoice.currency.clone(),
        description: invoice.description.clone(),
        collection_method: invoice.collection_method.clone(),
        days_until_due: invoice.days_until_due(),
        status: invoice.status.clone(),
        lines: lines.iter().map(outside_line).collect(),
        metadata: invoice.own_metadata(),
        mirrored: Mirrored {
            number: invoice.number.clone(),
            total: invoice.total,
            amount_due: invoice.amount_due,
            amount_paid: invoice.amount_paid,
            amount_remaining: invoice.amount_remaining,
            hosted_invoice_url: invoice.hosted_invoice_url.clone(),
        },
    };
    let snapshot = json!({
        "id": invoice.id, "customer": invoice.customer_id(), "status": invoice.status, "currency": invoice.currency,
        "description": invoice.description, "total": invoice.total, "metadata": invoice.metadata, "lines": lines.len(),
    });
    RemoteRecord {
        external_id: invoice.id.clone(),
        our_id: invoice.metadata(INVOICE_ID_KEY).and_then(|id| Uuid::parse_str(id.trim()).ok()),
        written_version: invoice.metadata(INVOICE_VERSION_KEY).and_then(|v| v.trim().parse().ok()).unwrap_or(0),
        deleted: deleted || invoice.deleted == Some(true),
        merged_into: None,
        values,
        snapshot,
    }
}

/// A line as the catalog reads it. One billing a fractional quantity, or
/// an amount that is no whole multiple of its quantity, cannot be a line
/// here; it is marked so, never truncated.
fn outside_line(line: &RemoteLine) -> OutsideLine {
    let our_id = line.our_line().map(str::to_owned);
    let description = line.description.clone();
    match line.quantity() {
        Some(quantity) if line.amount % quantity == 0 => {
            OutsideLine { our_id, description, quantity, unit_amount: line.amount / quantity, unreadable: None }
        }
        quantity => {
            let shown = line.quantity_decimal.clone().or(quantity.map(|q| q.to_string())).unwrap_or_default();
            let why = format!(
                "its line {} bills {} for a quantity of {shown}, which is no whole quantity at a whole unit price",
                line.id, line.amount
            );
            OutsideLine { our_id, description, quantity: 1, unit_amount: line.amount, unreadable: Some(why) }
        }
    }
}

impl Source<Invoices> for StripeInvoiceSource {
    fn integration(&self) -> &'static str {
        "stripe"
    }

    fn display_name(&self) -> &'static str {
        "Stripe"
    }

    fn reads_current_state(&self) -> bool {
        true
    }

    /// `invoice.*` events about one invoice (`invoice.upcoming` is about
    /// none: it has no id).
    fn decode(&self, envelope: &Envelope, event: &Value) -> Result<Option<RemoteRecord<OutsideInvoice>>, String> {
        if !envelope.kind.starts_with("invoice.") {
            return Ok(None);
        }
        let object = event.pointer("/data/object").cloned().unwrap_or(Value::Null);
        if object.get("id").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Ok(None);
        }
        let invoice: RemoteInvoice = serde_json::from_value(object).map_err(|e| format!("the invoice cannot be read: {e}"))?;
        if !super::is_stripe_id(&invoice.id) {
            return Err(format!("'{}' is not a Stripe invoice id", invoice.id));
        }
        let lines = invoice.lines.clone().unwrap_or_default().data;
        Ok(Some(record(&invoice, &lines, envelope.kind == "invoice.deleted")))
    }

    async fn get(&self, external_id: &str) -> Result<RemoteRecord<OutsideInvoice>, SyncError> {
        match self.api.fetch(external_id).await? {
            Some(invoice) => self.whole(invoice).await,
            None => {
                let gone = RemoteInvoice::gone(external_id);
                Ok(record(&gone, &[], true))
            }
        }
    }

    async fn list_page(&self, after: Option<&str>) -> Result<Page<OutsideInvoice>, SyncError> {
        let mut query = vec![("limit".to_owned(), PAGE.to_string())];
        query.extend(after.map(|a| ("starting_after".to_owned(), a.to_owned())));
        let page: ListPage<RemoteInvoice> = self.api.call(Method::GET, "/invoices", &query, None).await?;
        let next = page.data.last().filter(|_| page.has_more).map(|i| i.id.clone());
        let mut records = Vec::with_capacity(page.data.len());
        for invoice in page.data {
            records.push(self.whole(invoice).await?);
        }
        Ok(Page { records, next })
    }
}
