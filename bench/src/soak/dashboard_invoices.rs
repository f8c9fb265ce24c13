//! A person working on invoices in Stripe's dashboard (the double's
//! `dashboard`: straight to what Stripe holds, no fault, no key): a new
//! draft with a line or two for a customer linked here, a line added to a
//! draft, a draft's or an open invoice's description, an open invoice paid
//! (out of band) or voided. The person looks first: an invoice not in
//! Stripe yet, or not in the status the change needs, is skipped.

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::Value;

use super::driver::lock;
use super::invoice_choice::DASHBOARD_LINES_BELOW;
use super::invoice_ledger::InvoiceOp;
use super::ledger::Outcome;
use super::ops::Operator;
use super::ops_stripe::Integration;

impl Operator {
    /// The Stripe invoice of invoice `index` (remembered once found): for
    /// ours, the one carrying our id, as a person would search for it.
    fn stripe_invoice(&self, index: usize) -> Option<Value> {
        let (known, ours) = self.invoice_of(index, |i| (i.stripe_id.clone(), i.local_id.clone()));
        if let Some(id) = known {
            return self.rig.double.invoice(&id);
        }
        let ours = ours?;
        let found = self.rig.double.invoices().into_iter().find(|i| i["metadata"]["catalog_sync_id"].as_str() == Some(ours.as_str()))?;
        let id = found["id"].as_str().map(str::to_owned);
        self.invoice_of(index, |i| i.stripe_id = id);
        Some(found)
    }

    /// One call in the dashboard; a 200 is done, the rest refused.
    fn by_hand(&self, index: usize, method: &str, path: &str, form: &[(&str, &str)]) -> Outcome {
        let (status, answer) = self.rig.double.dashboard(method, path, form);
        if status != 200 {
            return Outcome::Refused(format!("Stripe answered {status}: {answer}"));
        }
        if let Some(now) = answer["status"].as_str().filter(|_| answer["object"] == "invoice") {
            self.invoice_of(index, |i| i.status = now.to_owned());
        }
        Outcome::Accepted
    }

    /// Adds a new line to draft `invoice` of Stripe customer `customer`.
    fn add_item(&self, index: usize, rng: &mut StdRng, invoice: &str, customer: &str) -> Outcome {
        let (description, quantity, unit_amount) = self.new_line(rng);
        let (quantity, unit_amount) = (quantity.to_string(), unit_amount.to_string());
        let form = [
            ("customer", customer),
            ("invoice", invoice),
            ("description", description.as_str()),
            ("quantity", quantity.as_str()),
            ("unit_amount_decimal", unit_amount.as_str()),
        ];
        let outcome = self.by_hand(index, "POST", "/v1/invoiceitems", &form);
        if matches!(outcome, Outcome::Accepted) {
            self.invoice_of(index, |i| i.line_count += 1);
        }
        outcome
    }

    pub(super) async fn dashboard(&self, op: InvoiceOp, rng: &mut StdRng) -> (String, Outcome) {
        if let InvoiceOp::DashboardCreate { index } = op {
            return (String::new(), self.dashboard_create(index, rng).await);
        }
        let index = op.index();
        let Some(current) = self.stripe_invoice(index) else {
            return (String::new(), Outcome::Skipped("not in Stripe yet".into()));
        };
        let id = current["id"].as_str().unwrap_or_default().to_owned();
        let status = current["status"].as_str().unwrap_or_default().to_owned();
        let lines = current["lines"]["total_count"].as_u64().unwrap_or_default() as usize;
        let needed = match op {
            InvoiceOp::DashboardAddLine { .. } | InvoiceOp::DashboardDescribeDraft { .. } => "draft",
            _ => "open",
        };
        if status != needed {
            self.invoice_of(index, |i| i.status = status.clone());
            return (id, Outcome::Skipped(format!("it is {status} in Stripe")));
        }
        let description = format!("Changed in Stripe {}", lock(&self.ledger).fresh_name());
        let outcome = match op {
            InvoiceOp::DashboardPay { .. } => {
                self.by_hand(index, "POST", &format!("/v1/invoices/{id}/pay"), &[("paid_out_of_band", "true")])
            }
            InvoiceOp::DashboardVoid { .. } => self.by_hand(index, "POST", &format!("/v1/invoices/{id}/void"), &[]),
            InvoiceOp::DashboardAddLine { .. } if lines >= DASHBOARD_LINES_BELOW => Outcome::Skipped(format!("{lines} lines already")),
            InvoiceOp::DashboardAddLine { .. } => {
                let customer = current["customer"].as_str().unwrap_or_default().to_owned();
                self.add_item(index, rng, &id, &customer)
            }
            _ => self.by_hand(index, "POST", &format!("/v1/invoices/{id}"), &[("description", description.as_str())]),
        };
        (id, outcome)
    }

    /// A draft made in the dashboard for a customer linked here, with one
    /// or two lines: the sync takes it in as an invoice of that customer.
    async fn dashboard_create(&self, index: usize, rng: &mut StdRng) -> Outcome {
        let customer = self.invoice_of(index, |i| i.customer);
        let stripe_customer = match self.linked_id(customer, Integration::Stripe).await {
            Ok(id) => id,
            Err(why) => return Outcome::Skipped(why),
        };
        let description = format!("Made in Stripe {}", lock(&self.ledger).fresh_name());
        let form = [
            ("customer", stripe_customer.as_str()),
            ("currency", "usd"),
            ("description", description.as_str()),
            ("auto_advance", "false"),
            ("pending_invoice_items_behavior", "exclude"),
        ];
        let (status, made) = self.rig.double.dashboard("POST", "/v1/invoices", &form);
        let Some(id) = made["id"].as_str().filter(|_| status == 200).map(str::to_owned) else {
            return Outcome::Refused(format!("Stripe answered {status}: {made}"));
        };
        self.invoice_of(index, |i| i.stripe_id = Some(id.clone()));
        for _ in 0..rng.random_range(1..=2) {
            self.add_item(index, rng, &id, &stripe_customer);
        }
        Outcome::Accepted
    }
}
