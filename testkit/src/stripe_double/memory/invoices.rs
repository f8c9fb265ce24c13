//! One-off invoices: create, read, list, update and delete, by Stripe's
//! rules for each status (INVOICE_FACTS.md). Moving between statuses is in
//! `transitions`; the lines are the invoice's items (`items`).

use std::cmp::Reverse;
use std::time::Instant;

use serde_json::{Map, Value};

use super::errors::{no_such, not_editable, wrong_status, Refusal};
use super::events::previous_attributes;
use super::form::Form;
use super::paging::{list, window};
use super::render::line_json;
use super::terms::Terms;
use super::{Memory, Outcome};

pub(super) const METHODS: &[&str] = &["charge_automatically", "send_invoice"];
const CREATE: &[&str] = &[
    "customer",
    "auto_advance",
    "currency",
    "collection_method",
    "days_until_due",
    "due_date",
    "description",
    "footer",
    "metadata",
    "pending_invoice_items_behavior",
];
/// What a draft's update takes. Stripe has no `currency` or `customer`
/// here: a draft in another currency is a new draft.
const UPDATE: &[&str] = &["description", "metadata", "collection_method", "days_until_due", "due_date", "auto_advance", "footer"];
/// What stays editable once an invoice is finalized: "Once an invoice is
/// finalized, monetary values, as well as collection_method, become
/// uneditable" (docs.stripe.com/api/invoices/update).
const UPDATE_FINALIZED: &[&str] = &["description", "metadata", "footer", "auto_advance"];
/// Text Stripe may refuse on a paid or void invoice: "Finalized invoices
/// can't be updated in this way" (reported for a description, stripe-php
/// #1105; paid and void invoices "can't be revised", docs.stripe.com/invoicing/invoice-edits).
/// The documents do not settle it: refused at start, taken under
/// `paid_invoices_take_text(true)`.
const TEXT: &[&str] = &["description", "footer"];

#[derive(Default)]
pub(super) struct Transitions {
    pub finalized_at: Option<i64>,
    pub paid_at: Option<i64>,
    pub voided_at: Option<i64>,
    pub marked_uncollectible_at: Option<i64>,
}

pub(super) struct Invoice {
    pub id: String,
    /// Creation order: a newest-first list breaks ties of `created` by it.
    pub seq: u64,
    pub created: i64,
    pub customer: String,
    pub status: &'static str,
    pub currency: String,
    pub collection_method: String,
    /// Its terms (`send_invoice` only): Stripe shows the date alone.
    pub terms: Terms,
    pub description: Option<String>,
    pub footer: Option<String>,
    pub metadata: Map<String, Value>,
    pub auto_advance: bool,
    pub number: Option<String>,
    pub hosted_invoice_url: Option<String>,
    pub amount_paid: i64,
    /// Below the minimum charge: what went to the customer's credit
    /// balance instead of being charged (the balance is not modelled).
    pub credited: i64,
    pub attempt_count: i64,
    pub transitions: Transitions,
    /// Its items' ids, in the order they became lines.
    pub lines: Vec<String>,
}

impl Memory {
    pub(super) fn find_invoice(&self, id: &str) -> Result<&Invoice, Refusal> {
        self.invoices.get(id).ok_or_else(|| no_such(404, "invoice", id, "id"))
    }

    pub(super) fn create_invoice(&mut self, form: &Form) -> Outcome {
        form.refuse_unknown(CREATE)?;
        let customer = form.required("customer")?.to_owned();
        if !self.has_customer(&customer) {
            return Err(no_such(400, "customer", &customer, "customer"));
        }
        let currency = form.currency()?.unwrap_or_else(|| "usd".into());
        let collection_method = form.choice("collection_method", METHODS)?.unwrap_or_else(|| METHODS[0].into());
        let created = chrono::Utc::now().timestamp();
        let terms = Terms::asked(form, &collection_method, created, None)?;
        let include = form.choice("pending_invoice_items_behavior", &["exclude", "include"])?.as_deref() == Some("include");
        // "Defaults to false" (https://docs.stripe.com/api/invoices/create#create_invoice-auto_advance).
        let auto_advance = form.bool("auto_advance")?.unwrap_or(false);
        let mut metadata = Map::new();
        form.apply_metadata(&mut metadata)?;
        let seq = self.sequence();
        let id = format!("in_dbl{seq:014}");
        // On current API versions pending items join only when asked to.
        let lines = if include { self.take_pending(&customer, &currency, &id) } else { Vec::new() };
        let invoice = Invoice {
            id: id.clone(),
            seq,
            created,
            customer,
            status: "draft",
            currency,
            collection_method,
            terms,
            description: form.text("description").flatten(),
            footer: form.text("footer").flatten(),
            metadata,
            auto_advance,
            number: None,
            hosted_invoice_url: None,
            amount_paid: 0,
            credited: 0,
            attempt_count: 0,
            transitions: Transitions::default(),
            lines,
        };
        self.invoices.insert(id.clone(), invoice);
        Ok(self.invoice_changed(&id, None, &["invoice.created"]))
    }

    pub(super) fn get_invoice(&self, id: &str) -> Outcome {
        if self.deleted.contains(id) {
            // As Stripe answers a deleted draft (see `Memory::deleted`).
            return Ok(serde_json::json!({"id": id, "object": "invoice", "deleted": true}));
        }
        Ok(self.invoice_json(self.find_invoice(id)?))
    }

    /// `GET /v1/invoices`: newest first, by customer, status or method.
    pub(super) fn list_invoices(&self, form: &Form) -> Outcome {
        form.refuse_unknown(&["customer", "status", "collection_method", "limit", "starting_after", "ending_before"])?;
        let status = form.choice("status", &["draft", "open", "paid", "uncollectible", "void"])?;
        let method = form.choice("collection_method", METHODS)?;
        let customer = form.get("customer");
        let mut found: Vec<&Invoice> = self
            .invoices
            .values()
            .filter(|i| customer.is_none_or(|c| i.customer == c))
            .filter(|i| status.as_deref().is_none_or(|s| i.status == s))
            .filter(|i| method.as_deref().is_none_or(|m| i.collection_method == m))
            .collect();
        found.sort_by_key(|i| Reverse((i.created, i.seq)));
        let (page, has_more) = window(&found, |i: &Invoice| i.id.as_str(), form)?;
        Ok(list(page.into_iter().map(|i| self.invoice_json(i)).collect(), has_more, "/v1/invoices"))
    }

    /// `GET /v1/invoices/{id}/lines`: in the order they were added.
    pub(super) fn invoice_lines(&self, id: &str, form: &Form) -> Outcome {
        form.refuse_unknown(&["limit", "starting_after", "ending_before"])?;
        let lines = self.lines_of(self.find_invoice(id)?);
        let (page, has_more) = window(&lines, |item| item.line.as_str(), form)?;
        Ok(list(page.into_iter().map(line_json).collect(), has_more, &format!("/v1/invoices/{id}/lines")))
    }

    pub(super) fn update_invoice(&mut self, id: &str, form: &Form) -> Outcome {
        form.refuse_unknown(UPDATE)?;
        let invoice = self.find_invoice(id)?;
        if invoice.status != "draft" {
            if let Some(locked) = form.names().find(|n| *n != "expand" && !UPDATE_FINALIZED.contains(n)) {
                return Err(not_editable(locked, invoice.status));
            }
            let settled = matches!(invoice.status, "paid" | "void");
            if let Some(text) = form.names().find(|n| settled && !self.text_after_payment && TEXT.contains(n)) {
                return Err(not_editable(text, invoice.status));
            }
        }
        let method = form.choice("collection_method", METHODS)?.unwrap_or_else(|| invoice.collection_method.clone());
        let terms = Terms::asked(form, &method, invoice.created, Some(invoice.terms))?;
        let auto_advance = form.bool("auto_advance")?;
        let before = self.invoice_json(invoice);
        let Some(invoice) = self.invoices.get_mut(id) else { return Err(no_such(404, "invoice", id, "id")) };
        form.apply_metadata(&mut invoice.metadata)?;
        invoice.collection_method = method;
        invoice.terms = terms;
        invoice.auto_advance = auto_advance.unwrap_or(invoice.auto_advance);
        if let Some(description) = form.text("description") {
            invoice.description = description;
        }
        if let Some(footer) = form.text("footer") {
            invoice.footer = footer;
        }
        Ok(self.invoice_changed(id, Some(&before), &[]))
    }

    /// Only a draft can be deleted; its items go with it, so nothing of a
    /// deleted invoice turns up as a pending item on the next one.
    pub(super) fn delete_invoice(&mut self, id: &str) -> Outcome {
        let invoice = self.find_invoice(id)?;
        if invoice.status != "draft" {
            return Err(wrong_status("delete", "a draft", invoice.status));
        }
        let last = self.invoice_json(invoice);
        self.deleted.insert(id.to_owned());
        if let Some(invoice) = self.invoices.remove(id) {
            for item in &invoice.lines {
                self.items.remove(item);
            }
        }
        self.events.record("invoice.deleted", last, None);
        Ok(serde_json::json!({"id": id, "object": "invoice", "deleted": true}))
    }

    /// Records what a change of invoice `id` sends, given its JSON before
    /// (`None` when it is new): each of `kinds`, then `invoice.updated` if
    /// any field Stripe shows changed. Notes its line count for
    /// `invoice_lines_at`. Its JSON now.
    pub(super) fn invoice_changed(&mut self, id: &str, before: Option<&Value>, kinds: &[&str]) -> Value {
        let Some(invoice) = self.invoices.get(id) else { return Value::Null };
        let after = self.invoice_json(invoice);
        if let Some(ours) = invoice.metadata.get("catalog_sync_id").and_then(Value::as_str) {
            let seen = self.lines_at.entry(ours.to_owned()).or_default();
            while seen.len() <= invoice.lines.len() {
                seen.push(Instant::now());
            }
        }
        for kind in kinds {
            self.events.record(kind, after.clone(), None);
        }
        if let Some(before) = before {
            let previous = previous_attributes(before, &after);
            if !previous.is_empty() {
                self.events.record("invoice.updated", after.clone(), Some(previous));
            }
        }
        after
    }
}
