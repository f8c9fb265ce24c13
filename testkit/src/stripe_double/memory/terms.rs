//! A `send_invoice` invoice's terms, as Stripe keeps them. The invoice
//! object has a `due_date` and no `days_until_due`: the days are a request
//! parameter only ("days_until_due: The number of days from when the
//! invoice is created until it is due. Valid only for invoices where
//! collection_method=send_invoice", PostInvoices and PostInvoicesInvoice,
//! docs.stripe.com/api/invoices/create; absent from the Invoice object,
//! docs.stripe.com/api/invoices/object). The terms are either days or a
//! date, and "can only be updated on draft invoices".
//!
//! The documents count the days from creation. They do not say whether
//! finalizing counts them again from then, so the double offers both:
//! from creation (at start) or, with `due_dates_from_finalization`, from
//! finalization.

use super::errors::{invalid, Refusal};
use super::form::Form;

const DAY: i64 = 86_400;

/// What an invoice's terms are: the days asked for (kept to count again
/// at finalization) and the date they give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Terms {
    pub days: Option<i64>,
    pub due_date: Option<i64>,
}

impl Terms {
    /// The terms a create or a draft's update asks for, given the method
    /// the invoice will have and its terms so far (`None` on a create).
    /// Switching to charging drops them.
    pub fn asked(form: &Form, method: &str, created: i64, before: Option<Terms>) -> Result<Terms, Refusal> {
        let days = form.optional_int("days_until_due")?;
        let date = form.optional_int("due_date")?;
        if let (Some(Some(_)), Some(Some(_))) = (days, date) {
            return Err(invalid(None, "You may only specify one of these parameters: days_until_due, due_date.", Some("due_date")));
        }
        let terms = match (days, date) {
            (Some(Some(days)), _) => Terms { days: Some(days), due_date: Some(created + days * DAY) },
            (_, Some(Some(date))) => Terms { days: None, due_date: Some(date) },
            _ if method == "charge_automatically" => Terms::default(),
            _ => before.unwrap_or_default(),
        };
        match (method, terms.due_date) {
            ("send_invoice", None) => Err(invalid(
                Some("parameter_missing"),
                "Invoices with collection_method=send_invoice need either days_until_due or due_date.",
                Some("days_until_due"),
            )),
            ("charge_automatically", Some(_)) if days.is_some() || date.is_some() => Err(invalid(
                None,
                "days_until_due and due_date can only be set when collection_method is send_invoice.",
                Some(if days.is_some() { "days_until_due" } else { "due_date" }),
            )),
            _ if terms.days.is_some_and(|d| d < 0) => Err(invalid(None, "days_until_due must be at least 0.", Some("days_until_due"))),
            _ if terms.due_date.is_some_and(|d| d < created) => Err(invalid(None, "due_date must be in the future.", Some("due_date"))),
            _ => Ok(terms),
        }
    }

    /// The due date once finalized at `now`: unchanged, or the days counted
    /// again from `now` when the double counts them from finalization.
    pub fn finalized(self, now: i64, from_finalization: bool) -> Terms {
        match self.days {
            Some(days) if from_finalization => Terms { days: Some(days), due_date: Some(now + days * DAY) },
            _ => self,
        }
    }
}
