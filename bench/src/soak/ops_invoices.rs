//! Invoice operations through our API, sent as a careful client sends
//! them (`Operator::definite`: again until a 2xx or 4xx): a draft of one
//! to four lines (under an `Idempotency-Key`), edits by what its status
//! allows (description, lines, metadata), finalize, pay, void, mark
//! uncollectible, delete. A 4xx is a refusal (another side moved the
//! invoice on, say), never a fault of the system; only a 2xx is done.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::driver::lock;
use super::invoice_ledger::{ExpectedLine, InvoiceOp, TrackedInvoice};
use super::ledger::Outcome;
use super::ops::{Answer, Operator};

/// Currencies Stripe supports, a zero-decimal one among them.
const CURRENCIES: [&str; 4] = ["usd", "eur", "gbp", "jpy"];
/// Unit amounts: some below Stripe's minimum charge, so a finalized
/// invoice is sometimes paid at once, as Stripe does.
const UNIT_AMOUNTS: [i64; 7] = [0, 25, 120, 999, 2_500, 15_000, 73_000];

impl Operator {
    pub(super) fn invoice_of<T>(&self, index: usize, read: impl FnOnce(&mut TrackedInvoice) -> T) -> T {
        read(&mut lock(&self.ledger).invoices[index])
    }

    pub(super) async fn invoice(&self, op: InvoiceOp, salt: u64) {
        let mut rng = StdRng::seed_from_u64(salt);
        let (index, kind) = (op.index(), op.kind());
        let (what, outcome) = match op {
            InvoiceOp::Create { index } => self.invoice_create(index, &mut rng).await,
            InvoiceOp::Patch { index } => self.invoice_patch(index, &mut rng).await,
            InvoiceOp::Command { index, command } => (String::new(), self.invoice_command(index, command).await),
            InvoiceOp::Delete { index } => (String::new(), self.invoice_delete(index).await),
            other => self.dashboard(other, &mut rng).await,
        };
        lock(&self.ledger).finish_invoice(index, kind, &what, &outcome);
    }

    /// A new line's body: a description never used, 1 to 5 units.
    pub(super) fn new_line(&self, rng: &mut StdRng) -> (String, i64, i64) {
        let description = format!("Line {}", lock(&self.ledger).fresh_name());
        (description, rng.random_range(1..=5), UNIT_AMOUNTS[rng.random_range(0..UNIT_AMOUNTS.len())])
    }

    fn line_body(&self, rng: &mut StdRng) -> Value {
        let (description, quantity, unit_amount) = self.new_line(rng);
        json!({"description": description, "quantity": quantity, "unit_amount": unit_amount})
    }

    /// Notes what the API answered: the invoice's status, description and lines.
    fn accepted(&self, index: usize, view: &Value) -> Outcome {
        let lines: Vec<ExpectedLine> = view["lines"]
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .map(|l| ExpectedLine {
                        id: l["id"].as_str().unwrap_or_default().to_owned(),
                        description: l["description"].as_str().unwrap_or_default().to_owned(),
                        quantity: l["quantity"].as_i64().unwrap_or_default(),
                        unit_amount: l["unit_amount"].as_i64().unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.invoice_of(index, |i| {
            i.status = view["status"].as_str().unwrap_or("draft").to_owned();
            i.description = view["description"].as_str().map(str::to_owned);
            i.line_count = i.line_count.max(lines.len());
            i.lines = lines;
        });
        Outcome::Accepted
    }

    async fn invoice_create(&self, index: usize, rng: &mut StdRng) -> (String, Outcome) {
        let customer = self.invoice_of(index, |i| i.customer);
        let Some(customer_id) = self.tracked(customer, |c| c.local_id.clone()) else {
            return (String::new(), Outcome::Skipped("the customer has no local id".into()));
        };
        let currency = CURRENCIES[rng.random_range(0..CURRENCIES.len())];
        let lines: Vec<Value> = (0..rng.random_range(1..=4)).map(|_| self.line_body(rng)).collect();
        let description = format!("Invoice {}", lock(&self.ledger).fresh_name());
        let mut body = json!({"customer_id": customer_id, "currency": currency, "description": description, "lines": lines,
            "metadata": {"soak": "yes"}});
        if rng.random_bool(0.25) {
            body["collection_method"] = json!("send_invoice");
            body["days_until_due"] = json!(30);
        }
        let what = format!("{currency}, {} lines", lines.len());
        let key = format!("soak-invoice-{index}");
        let outcome = match self.definite(Method::POST, "/invoices", Some(&body), Some(&key)).await {
            Answer::Ok(view) => match view["id"].as_str() {
                Some(id) => {
                    self.invoice_of(index, |i| i.local_id = Some(id.to_owned()));
                    self.accepted(index, &view)
                }
                None => Outcome::Undecided(format!("a 201 without an id: {view}")),
            },
            Answer::Refused(status, why, _) => Outcome::Refused(format!("{status} {why}")),
            Answer::Undecided(why) => Outcome::Undecided(why),
        };
        (what, outcome)
    }

    /// An edit its status allows: a draft's description, lines (kept ones
    /// by id, some with a new quantity, and new ones) or metadata; an open
    /// invoice's description or metadata; a settled one's metadata.
    async fn invoice_patch(&self, index: usize, rng: &mut StdRng) -> (String, Outcome) {
        let (id, status, kept) = self.invoice_of(index, |i| (i.local_id.clone(), i.status.clone(), i.lines.clone()));
        let Some(id) = id else { return (String::new(), Outcome::Skipped("no local id".into())) };
        let choice = match status.as_str() {
            "draft" => rng.random_range(0..3),
            "open" | "uncollectible" => [0, 2][rng.random_range(0..2)],
            _ => 2,
        };
        let body = match choice {
            0 => json!({"description": format!("Invoice {}", lock(&self.ledger).fresh_name())}),
            1 => {
                let mut lines: Vec<Value> = Vec::new();
                for line in &kept {
                    if !rng.random_bool(0.6) {
                        continue;
                    }
                    match rng.random_bool(0.5) {
                        true => lines.push(json!({"id": line.id, "quantity": rng.random_range(1..=5)})),
                        false => lines.push(json!({"id": line.id})),
                    }
                }
                lines.truncate(3);
                while lines.is_empty() || (lines.len() < 4 && rng.random_bool(0.4)) {
                    lines.push(self.line_body(rng));
                }
                json!({"lines": lines})
            }
            _ => {
                let mut metadata = Map::new();
                for _ in 0..rng.random_range(1..=2) {
                    let value = if rng.random_bool(0.2) { Value::Null } else { json!(lock(&self.ledger).fresh_name()) };
                    metadata.insert(format!("k{}", rng.random_range(0..6)), value);
                }
                json!({"metadata": metadata})
            }
        };
        let what = body.to_string();
        let outcome = match self.definite(Method::PATCH, &format!("/invoices/{id}"), Some(&body), None).await {
            Answer::Ok(view) => self.accepted(index, &view),
            Answer::Refused(status, why, _) => Outcome::Refused(format!("{status} {why}")),
            Answer::Undecided(why) => Outcome::Undecided(why),
        };
        (what, outcome)
    }

    async fn invoice_command(&self, index: usize, command: &str) -> Outcome {
        let Some(id) = self.invoice_of(index, |i| i.local_id.clone()) else { return Outcome::Skipped("no local id".into()) };
        match self.definite(Method::POST, &format!("/invoices/{id}/{command}"), Some(&json!({})), None).await {
            Answer::Ok(view) => self.accepted(index, &view),
            Answer::Refused(status, why, _) => Outcome::Refused(format!("{status} {why}")),
            Answer::Undecided(why) => Outcome::Undecided(why),
        }
    }

    async fn invoice_delete(&self, index: usize) -> Outcome {
        let Some(id) = self.invoice_of(index, |i| i.local_id.clone()) else { return Outcome::Skipped("no local id".into()) };
        match self.definite(Method::DELETE, &format!("/invoices/{id}"), None, None).await {
            // A 404 after a send without an answer: that send deleted it.
            Answer::Ok(_) | Answer::Refused(404, _, 2..) => {
                self.invoice_of(index, |i| i.deleted = true);
                Outcome::Accepted
            }
            Answer::Refused(status, why, _) => Outcome::Refused(format!("{status} {why}")),
            Answer::Undecided(why) => Outcome::Undecided(why),
        }
    }
}
