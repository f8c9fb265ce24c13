//! The test controls of the double's memory mode: what Stripe holds, its
//! events, a declined card, a person working in Stripe's dashboard, and
//! webhook delivery. Without memory mode (an upstream emulator) the lists
//! are empty: the emulator holds the objects.

use std::time::Instant;

use serde_json::Value;

use super::{lock, webhooks, Logged, StripeDouble};

impl StripeDouble {
    /// Every invoice Stripe holds (deleted ones are gone), oldest first, as
    /// `GET /v1/invoices/{id}` returns it.
    pub fn invoices(&self) -> Vec<Value> {
        lock(&self.state.memory).invoices()
    }

    /// One invoice as `GET /v1/invoices/{id}` returns it.
    pub fn invoice(&self, id: &str) -> Option<Value> {
        lock(&self.state.memory).invoice(id)
    }

    /// Every event recorded so far, oldest first (`GET /v1/events` lists
    /// them newest first).
    pub fn events(&self) -> Vec<Value> {
        lock(&self.state.memory).events()
    }

    /// The next charge of an invoice (`/pay` without `paid_out_of_band`)
    /// is declined: 402 `card_declined`, the invoice stays as it was, and
    /// Stripe sends `invoice.payment_failed`. Only the next one.
    pub fn fail_next_payment(&self) {
        lock(&self.state.memory).fail_next_payment();
    }

    /// A `send_invoice` invoice's `days_until_due` counted from its
    /// finalization (`true`) or, as Stripe's documents say, from its
    /// creation (`false`, at start). See `memory::terms`.
    pub fn due_dates_from_finalization(&self, on: bool) {
        lock(&self.state.memory).due_dates_from_finalization(on);
    }

    /// A paid or void invoice takes a new description or footer (`true`),
    /// or refuses it with 400 `invoice_not_editable` (`false`, at start):
    /// Stripe's documents do not settle which.
    pub fn paid_invoices_take_text(&self, on: bool) {
        lock(&self.state.memory).paid_invoices_take_text(on);
    }

    /// Performs a call as a person in Stripe's dashboard would: straight to
    /// memory, with no idempotency key, rate limit or fault, and logged in
    /// `dashboard_log`, so `log` keeps only the calls the system under test
    /// made. Its changes send events as any other. `path` may carry a
    /// query; `form` is the query of a GET, the body of a write.
    pub fn dashboard(&self, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let encoded = serde_urlencoded::to_string(form).unwrap_or_default();
        let (query, body) = match (method, query.is_empty()) {
            ("GET", true) => (encoded, String::new()),
            ("GET", false) if !encoded.is_empty() => (format!("{query}&{encoded}"), String::new()),
            _ => (query.to_owned(), encoded),
        };
        let (status, answer) = lock(&self.state.memory).answer(method, path, &query, body.as_bytes());
        lock(&self.state.recorded).dashboard.push(Logged {
            method: method.to_owned(),
            path: path.to_owned(),
            idempotency_key: None,
            fault: None,
            status,
            replayed: false,
            form: form.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        });
        (status, answer)
    }

    /// The dashboard's calls (`dashboard`), in order.
    pub fn dashboard_log(&self) -> Vec<Logged> {
        lock(&self.state.recorded).dashboard.clone()
    }

    /// When the Stripe invoice whose `metadata[catalog_sync_id]` is
    /// `catalog_sync_id` first had `n` lines (as far as the double could
    /// tell: from when the metadata was there), for the bench's outward lag.
    pub fn invoice_lines_at(&self, catalog_sync_id: &str, n: usize) -> Option<Instant> {
        lock(&self.state.memory).lines_at(catalog_sync_id, n)
    }

    /// From now on, POSTs every event recorded to `url` as Stripe delivers
    /// webhooks: in order, one at a time from a background task, signed
    /// with `secret` (see [`crate::sign_webhook`]). Calling it again sends
    /// later events to the new endpoint instead. Call it within a Tokio
    /// runtime, as `start`.
    pub fn deliver_webhooks(&self, url: &str, secret: &str) {
        let sender = webhooks::deliver(self.state.http.clone(), url.to_owned(), secret.to_owned(), self.state.deliveries.clone());
        lock(&self.state.memory).deliver_to(Some(sender));
    }

    /// Each webhook delivered so far: the event's id and the status the
    /// endpoint answered (0 when it gave none).
    pub fn deliveries(&self) -> Vec<(String, u16)> {
        lock(&self.state.deliveries).clone()
    }
}
