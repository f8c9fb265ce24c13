//! An invoice's status and the commands that move it, by Stripe's state
//! machine (`shared/mission/INVOICE_FACTS.md`):
//!
//! | command | from | to |
//! |---|---|---|
//! | finalize | draft | open |
//! | pay (outside Stripe) | open, uncollectible | paid |
//! | void | open, uncollectible | void |
//! | mark uncollectible | open | uncollectible |
//!
//! A draft is deleted rather than voided; `paid` and `void` are final.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, AsExpression, FromSqlRow, utoipa::ToSchema)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
#[schema(examples("draft"))]
pub enum InvoiceStatus {
    /// Fully editable; not yet sent to the customer. Deleted, not voided.
    Draft,
    /// Finalized: awaiting payment. Only `description` and `metadata` change.
    Open,
    /// Paid (final).
    Paid,
    /// Written off; may still be paid or voided.
    Uncollectible,
    /// Cancelled (final).
    Void,
}

text_enum!(InvoiceStatus, "invoice status", {
    Draft => "draft", Open => "open", Paid => "paid", Uncollectible => "uncollectible", Void => "void",
});

impl InvoiceStatus {
    /// Still awaiting something (editing, or payment): such an invoice
    /// keeps its customer from being deleted.
    pub fn is_unsettled(self) -> bool {
        matches!(self, InvoiceStatus::Draft | InvoiceStatus::Open)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, AsExpression, FromSqlRow, utoipa::ToSchema)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
#[schema(examples("charge_automatically"))]
pub enum CollectionMethod {
    /// Stripe charges the customer's default payment method.
    ChargeAutomatically,
    /// Stripe emails the invoice, due `days_until_due` after finalizing.
    SendInvoice,
}

text_enum!(CollectionMethod, "collection method", {
    ChargeAutomatically => "charge_automatically", SendInvoice => "send_invoice",
});

/// A command that moves an invoice to another status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Finalize,
    Pay,
    Void,
    MarkUncollectible,
}

impl Command {
    /// As the API's path and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Command::Finalize => "finalize",
            Command::Pay => "pay",
            Command::Void => "void",
            Command::MarkUncollectible => "mark-uncollectible",
        }
    }

    /// The statuses it can start from.
    pub fn from(self) -> &'static [InvoiceStatus] {
        use InvoiceStatus::*;
        match self {
            Command::Finalize => &[Draft],
            Command::Pay | Command::Void => &[Open, Uncollectible],
            Command::MarkUncollectible => &[Open],
        }
    }

    pub fn to(self) -> InvoiceStatus {
        match self {
            Command::Finalize => InvoiceStatus::Open,
            Command::Pay => InvoiceStatus::Paid,
            Command::Void => InvoiceStatus::Void,
            Command::MarkUncollectible => InvoiceStatus::Uncollectible,
        }
    }

    /// The status after the command, or why it cannot run from `current`.
    pub fn apply(self, current: InvoiceStatus) -> Result<InvoiceStatus, String> {
        if self.from().contains(&current) {
            return Ok(self.to());
        }
        let from: Vec<&str> = self.from().iter().map(InvoiceStatus::as_str).collect();
        Err(format!("the invoice is {}: {} needs it {}", current.as_str(), self.name(), from.join(" or ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_follow_stripes_state_machine() {
        use InvoiceStatus::*;
        let allowed =
            |command: Command| -> Vec<InvoiceStatus> { InvoiceStatus::ALL.iter().copied().filter(|s| command.apply(*s).is_ok()).collect() };
        assert_eq!(allowed(Command::Finalize), [Draft]);
        assert_eq!(allowed(Command::Pay), [Open, Uncollectible]);
        assert_eq!(allowed(Command::Void), [Open, Uncollectible]);
        assert_eq!(allowed(Command::MarkUncollectible), [Open]);
        assert_eq!(Command::Pay.apply(Uncollectible), Ok(Paid));
        let refused = Command::Void.apply(Paid).unwrap_err();
        assert_eq!(refused, "the invoice is paid: void needs it open or uncollectible");
    }
}
