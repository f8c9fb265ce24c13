//! The double's own Stripe, for when no emulator stands behind it:
//! customers, one-off invoices with their items and lines, and the events
//! Stripe sends, answered from memory at once (a benchmark measures our
//! overhead, not the emulator's). It follows Stripe's documented invoice
//! behaviour where localstripe cannot (INVOICE_FACTS.md): every status,
//! finalize, the line endpoints, and an event for every change.

mod customers;
mod errors;
mod events;
mod form;
mod invoices;
mod items;
mod minimum;
mod paging;
mod render;
mod terms;
mod transitions;

use std::collections::HashMap;
use std::time::Instant;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use errors::{not_served, Refusal};
use form::Form;

/// A handler's answer: the JSON of a 200, or a refusal.
type Outcome = Result<Value, Refusal>;

#[derive(Default)]
pub struct Memory {
    customers: HashMap<String, customers::Customer>,
    customer_ids: u64,
    invoices: HashMap<String, invoices::Invoice>,
    items: HashMap<String, items::Item>,
    events: events::Events,
    /// Numbers every other object: their ids and their creation order.
    sequence: u64,
    /// Finalized invoices so far, for their numbers.
    numbers: u64,
    /// The next charge is declined (a test's `fail_next_payment`).
    fail_next_payment: bool,
    /// A `send_invoice` invoice's days are counted again from its
    /// finalization (`terms`: Stripe's documents do not say).
    due_from_finalization: bool,
    /// A paid or void invoice takes a new description or footer
    /// (`invoices::TEXT`: Stripe's documents do not say).
    text_after_payment: bool,
    /// Customers and invoices deleted: Stripe still answers a retrieve of
    /// one, with `deleted: true` (API reference, "Retrieve a customer":
    /// "If it's for a deleted Customer, a subset of the customer's
    /// information is returned, including a deleted property that's set to
    /// true"), while an unknown id is a 404.
    deleted: std::collections::HashSet<String>,
    /// The customers are the emulator's (`StripeDouble::invoices_in_memory`):
    /// an invoice may name any customer id.
    pub customers_elsewhere: bool,
    /// Our invoice id (`metadata[catalog_sync_id]`) -> when its Stripe
    /// invoice first had 0, 1, 2... lines.
    lines_at: HashMap<String, Vec<Instant>>,
}

impl Memory {
    /// Answers one call: (status, JSON body). A GET's parameters are in its
    /// query, a write's in its form body.
    pub fn answer(&mut self, method: &str, path: &str, query: &str, body: &[u8]) -> (u16, Value) {
        let (status, body, _) = self.execute(method, path, query, body);
        (status, body)
    }

    /// `answer`, and whether the endpoint began to run: `false` when the
    /// parameters were refused first, whose answer Stripe does not keep
    /// under an idempotency key (`errors::Refusal::validation`).
    pub fn execute(&mut self, method: &str, path: &str, query: &str, body: &[u8]) -> (u16, Value, bool) {
        let form = Form::parse(if method == "GET" { query.as_bytes() } else { body });
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let Some(("v1", route)) = segments.split_first().map(|(v, rest)| (*v, rest)) else {
            let refusal = not_served(method, path);
            return (refusal.status, refusal.body, true);
        };
        match self.route(method, route, &form) {
            Ok(value) => (200, value, true),
            Err(refused) => (refused.status, refused.body, !refused.validation),
        }
    }

    fn route(&mut self, method: &str, route: &[&str], form: &Form) -> Outcome {
        match (method, route) {
            ("POST", ["customers"]) => self.create_customer(form),
            ("GET", ["customers"]) => self.list_customers(form),
            ("POST", ["customers", id]) => self.update_customer(id, form),
            ("GET", ["customers", id]) => self.get_customer(id),
            ("DELETE", ["customers", id]) => self.delete_customer(id),
            ("POST", ["invoices"]) => self.create_invoice(form),
            ("GET", ["invoices"]) => self.list_invoices(form),
            ("POST", ["invoices", id]) => self.update_invoice(id, form),
            ("GET", ["invoices", id]) => self.get_invoice(id),
            ("DELETE", ["invoices", id]) => self.delete_invoice(id),
            ("GET", ["invoices", id, "lines"]) => self.invoice_lines(id, form),
            ("POST", ["invoices", id, action]) => self.transition(id, action, form),
            ("POST", ["invoiceitems"]) => self.create_item(form),
            ("POST", ["invoiceitems", id]) => self.update_item(id, form),
            ("GET", ["invoiceitems", id]) => self.get_item(id),
            ("DELETE", ["invoiceitems", id]) => self.delete_item(id),
            ("GET", ["events"]) => self.events.list(form),
            ("GET", ["events", id]) => self.events.get(id),
            _ => Err(not_served(method, &format!("/v1/{}", route.join("/")))),
        }
    }

    fn sequence(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    /// Every customer, oldest first.
    pub fn customers(&self) -> Vec<Value> {
        self.customer_values()
    }

    /// Every invoice not deleted, oldest first, as `GET` returns it.
    pub fn invoices(&self) -> Vec<Value> {
        let mut all: Vec<&invoices::Invoice> = self.invoices.values().collect();
        all.sort_by_key(|i| i.seq);
        all.into_iter().map(|i| self.invoice_json(i)).collect()
    }

    pub fn invoice(&self, id: &str) -> Option<Value> {
        self.invoices.get(id).map(|i| self.invoice_json(i))
    }

    /// Every event so far, oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.events.all()
    }

    pub fn paid_invoices_take_text(&mut self, on: bool) {
        self.text_after_payment = on;
    }

    pub fn due_dates_from_finalization(&mut self, on: bool) {
        self.due_from_finalization = on;
    }

    pub fn fail_next_payment(&mut self) {
        self.fail_next_payment = true;
    }

    /// When the invoice carrying our id `ours` first had `lines` lines.
    pub fn lines_at(&self, ours: &str, lines: usize) -> Option<Instant> {
        self.lines_at.get(ours).and_then(|seen| seen.get(lines)).copied()
    }

    /// Sends every event recorded from now on to `webhooks` (`None`: stop).
    pub fn deliver_to(&mut self, webhooks: Option<UnboundedSender<Value>>) {
        self.events.deliver_to(webhooks);
    }
}
