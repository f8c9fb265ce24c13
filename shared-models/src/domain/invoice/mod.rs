//! An invoice's values, parsed at the edge: its id, status and the commands
//! that move it, its lines, currency, description and metadata.

pub mod currency;
mod jsonb;
mod lines;
mod status;
mod text;

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use currency::Currency;
pub use lines::{InvoiceLine, LineDraft, Lines, MAX_AMOUNT, MAX_LINES};
pub use status::{CollectionMethod, Command, InvoiceStatus};
pub use text::{description, Metadata, MAX_DESCRIPTION, MAX_PRODUCT_KEYS, RESERVED_PREFIX, SYNC_KEYS};

use super::DomainError;

/// Our own invoice id: a UUIDv7, like a customer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InvoiceId(Uuid);

impl InvoiceId {
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Uuid::parse_str(raw.trim()).map(Self).map_err(|_| DomainError::InvalidId(format!("'{raw}' is not an invoice id")))
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for InvoiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Days until a `send_invoice` invoice is due, which only that method takes.
pub fn days_until_due(method: CollectionMethod, days: Option<i32>) -> Result<Option<i32>, DomainError> {
    match (method, days) {
        (CollectionMethod::SendInvoice, None) => Err(DomainError::invalid("days_until_due", "send_invoice needs days_until_due")),
        (CollectionMethod::SendInvoice, Some(days)) if !(0..=3650).contains(&days) => {
            Err(DomainError::invalid("days_until_due", "days_until_due must be between 0 and 3650"))
        }
        (CollectionMethod::ChargeAutomatically, Some(_)) => {
            Err(DomainError::invalid("days_until_due", "days_until_due goes with send_invoice only (charge_automatically charges at once)"))
        }
        (_, days) => Ok(days),
    }
}
