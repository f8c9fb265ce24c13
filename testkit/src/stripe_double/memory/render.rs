//! Invoices, their lines and invoice items as Stripe's JSON. The money
//! fields are computed from the lines each time, so they can never disagree
//! with what the invoice bills.

use serde_json::{json, Value};

use super::invoices::Invoice;
use super::items::Item;
use super::Memory;

/// How many lines an invoice embeds; the rest are read from its `lines` URL.
const EMBEDDED_LINES: usize = 10;

impl Memory {
    /// The invoice's items, as its lines, in the order they were added.
    pub(super) fn lines_of<'a>(&'a self, invoice: &Invoice) -> Vec<&'a Item> {
        invoice.lines.iter().filter_map(|id| self.items.get(id)).collect()
    }

    pub(super) fn total_of(&self, invoice: &Invoice) -> i64 {
        self.lines_of(invoice).iter().map(|item| item.amount).sum()
    }

    pub(super) fn invoice_json(&self, invoice: &Invoice) -> Value {
        let lines = self.lines_of(invoice);
        let total: i64 = lines.iter().map(|item| item.amount).sum();
        let embedded: Vec<Value> = lines.iter().take(EMBEDDED_LINES).map(|item| line_json(item)).collect();
        let at = &invoice.transitions;
        json!({
            "id": invoice.id,
            "object": "invoice",
            "status": invoice.status,
            "customer": invoice.customer,
            "currency": invoice.currency,
            "collection_method": invoice.collection_method,
            "due_date": invoice.terms.due_date,
            "description": invoice.description,
            "footer": invoice.footer,
            "metadata": invoice.metadata,
            "auto_advance": invoice.auto_advance,
            "number": invoice.number,
            "subtotal": total,
            "total": total,
            "amount_due": total,
            "amount_paid": invoice.amount_paid,
            "amount_remaining": total - invoice.amount_paid - invoice.credited,
            "attempted": invoice.attempt_count > 0,
            "attempt_count": invoice.attempt_count,
            "hosted_invoice_url": invoice.hosted_invoice_url,
            "created": invoice.created,
            "status_transitions": {
                "finalized_at": at.finalized_at,
                "paid_at": at.paid_at,
                "voided_at": at.voided_at,
                "marked_uncollectible_at": at.marked_uncollectible_at,
            },
            "livemode": false,
            "lines": {
                "object": "list",
                "data": embedded,
                "has_more": lines.len() > EMBEDDED_LINES,
                "total_count": lines.len(),
                "url": format!("/v1/invoices/{}/lines", invoice.id),
            },
        })
    }
}

/// An item as a line of its invoice, as the pinned API version shows it:
/// the item under `parent.invoice_item_details` only (no top-level
/// `invoice_item`, gone since 2025-03-31.basil), and the quantity both
/// truncated (`quantity`) and whole (`quantity_decimal`), as async-stripe's
/// `InvoiceLineItem` at 2026-09-30 has them.
pub(super) fn line_json(item: &Item) -> Value {
    json!({
        "id": item.line,
        "object": "line_item",
        "amount": item.amount,
        "currency": item.currency,
        "description": item.description,
        "quantity": item.whole_quantity(),
        "quantity_decimal": item.quantity,
        "metadata": item.metadata,
        "invoice": item.invoice,
        "parent": {
            "type": "invoice_item_details",
            "invoice_item_details": {"invoice_item": item.id, "proration": false, "subscription": null},
            "subscription_item_details": null,
        },
        "pricing": {"unit_amount_decimal": item.unit_amount_decimal},
        "period": {"start": item.created, "end": item.created},
        "livemode": false,
    })
}

/// An invoice item as `/v1/invoiceitems` returns it.
pub(super) fn item_json(item: &Item) -> Value {
    json!({
        "id": item.id,
        "object": "invoiceitem",
        "amount": item.amount,
        "currency": item.currency,
        "customer": item.customer,
        "date": item.created,
        "description": item.description,
        "quantity": item.whole_quantity(),
        "quantity_decimal": item.quantity,
        "unit_amount": item.unit_amount(),
        "unit_amount_decimal": item.unit_amount_decimal,
        "pricing": {"unit_amount_decimal": item.unit_amount_decimal},
        "invoice": item.invoice,
        "metadata": item.metadata,
        "proration": false,
        "discountable": true,
        "period": {"start": item.created, "end": item.created},
        "livemode": false,
    })
}
