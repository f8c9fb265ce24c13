//! Stripe's invoice state machine: finalize, pay, void and mark
//! uncollectible, each allowed from the statuses INVOICE_FACTS.md lists
//! and refused (400, naming the status) from any other, changing nothing.
//! Every move sends its own event and `invoice.updated`.

use super::errors::{card_declined, no_such, not_served, wrong_status};
use super::form::Form;
use super::minimum::minimum_charge;
use super::{Memory, Outcome};

/// What `pay` takes; the payment method itself is not modelled (a charge
/// succeeds unless `fail_next_payment` was set).
const PAY: &[&str] = &["paid_out_of_band", "payment_method", "source", "forgive", "off_session", "mandate"];

impl Memory {
    /// `POST /v1/invoices/{id}/{action}`.
    pub(super) fn transition(&mut self, id: &str, action: &str, form: &Form) -> Outcome {
        match action {
            "finalize" => self.finalize(id, form),
            "pay" => self.pay(id, form),
            "void" => self.move_to(id, form, "void", "open or uncollectible", "void"),
            "mark_uncollectible" => self.move_to(id, form, "mark uncollectible", "open", "uncollectible"),
            _ => Err(not_served("POST", &format!("/v1/invoices/{id}/{action}"))),
        }
    }

    /// draft -> open: numbered, payable at its hosted page, due after its
    /// terms (counted again from now if the double counts them so, `terms`).
    /// An invoice below Stripe's minimum charge, nothing included, is paid
    /// at once, as Stripe does (`minimum`).
    fn finalize(&mut self, id: &str, form: &Form) -> Outcome {
        form.refuse_unknown(&["auto_advance"])?;
        let auto_advance = form.bool("auto_advance")?;
        let invoice = self.find_invoice(id)?;
        if invoice.status != "draft" {
            return Err(wrong_status("finalize", "a draft", invoice.status));
        }
        let (before, total) = (self.invoice_json(invoice), self.total_of(invoice));
        self.numbers += 1;
        let number = format!("DBLINV-{:04}", self.numbers);
        let now = chrono::Utc::now().timestamp();
        let Some(invoice) = self.invoices.get_mut(id) else { return Err(no_such(404, "invoice", id, "id")) };
        invoice.status = "open";
        invoice.number = Some(number);
        invoice.hosted_invoice_url = Some(format!("https://invoice.stripe.test/i/{id}"));
        invoice.transitions.finalized_at = Some(now);
        invoice.terms = invoice.terms.finalized(now, self.due_from_finalization);
        invoice.auto_advance = auto_advance.unwrap_or(invoice.auto_advance);
        let mut kinds = vec!["invoice.finalized"];
        if total < minimum_charge(&invoice.currency) {
            // Below what Stripe charges (nothing at all included): paid,
            // the amount added to the customer's balance (`minimum`).
            invoice.credited = total;
            invoice.status = "paid";
            invoice.transitions.paid_at = Some(now);
            kinds.push("invoice.paid");
        }
        Ok(self.invoice_changed(id, Some(&before), &kinds))
    }

    /// open or uncollectible -> paid. Out of band it is only recorded;
    /// otherwise it is a charge, which fails once after `fail_next_payment`
    /// with Stripe's card error, leaving the invoice as it was but for the
    /// attempt.
    fn pay(&mut self, id: &str, form: &Form) -> Outcome {
        form.refuse_unknown(PAY)?;
        let out_of_band = form.bool("paid_out_of_band")?.unwrap_or(false);
        let invoice = self.find_invoice(id)?;
        if !matches!(invoice.status, "open" | "uncollectible") {
            return Err(wrong_status("pay", "open or uncollectible", invoice.status));
        }
        let (before, total) = (self.invoice_json(invoice), self.total_of(invoice));
        let declined = !out_of_band && std::mem::take(&mut self.fail_next_payment);
        if let Some(invoice) = self.invoices.get_mut(id).filter(|_| !out_of_band) {
            invoice.attempt_count += 1;
        }
        if declined {
            self.invoice_changed(id, Some(&before), &["invoice.payment_failed"]);
            return Err(card_declined());
        }
        let Some(invoice) = self.invoices.get_mut(id) else { return Err(no_such(404, "invoice", id, "id")) };
        invoice.status = "paid";
        invoice.amount_paid = total;
        invoice.transitions.paid_at = Some(chrono::Utc::now().timestamp());
        let kinds: &[&str] = if out_of_band { &["invoice.paid"] } else { &["invoice.paid", "invoice.payment_succeeded"] };
        Ok(self.invoice_changed(id, Some(&before), kinds))
    }

    /// void (from open or uncollectible) and uncollectible (from open):
    /// `action` and `allowed` word the refusal.
    fn move_to(&mut self, id: &str, form: &Form, action: &str, allowed: &str, to: &'static str) -> Outcome {
        form.refuse_unknown(&[])?;
        let invoice = self.find_invoice(id)?;
        if !allowed.split(" or ").any(|status| status == invoice.status) {
            return Err(wrong_status(action, allowed, invoice.status));
        }
        let before = self.invoice_json(invoice);
        let now = Some(chrono::Utc::now().timestamp());
        let Some(invoice) = self.invoices.get_mut(id) else { return Err(no_such(404, "invoice", id, "id")) };
        invoice.status = to;
        let kind = if to == "void" {
            invoice.transitions.voided_at = now;
            "invoice.voided"
        } else {
            invoice.transitions.marked_uncollectible_at = now;
            "invoice.marked_uncollectible"
        };
        Ok(self.invoice_changed(id, Some(&before), &[kind]))
    }
}
