//! The bodies of `POST /invoices` and `PATCH /invoices/{id}`, and their
//! parsing into the invoice's domain values.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use shared_models::domain::invoice::{self, CollectionMethod, Currency, LineDraft, Lines, Metadata};
use shared_models::domain::{CustomerId, DomainError};
use utoipa::ToSchema;

use crate::error::ApiError;

/// A line as a request gives it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Consulting", "quantity": 3, "unit_amount": 12000}))]
pub struct LineInput {
    /// In a `PATCH`, the id of a line to keep (edited in place); left out,
    /// a new line.
    #[schema(nullable = false, format = Uuid)]
    id: Option<String>,
    /// 1 to 500 characters once trimmed.
    #[schema(nullable = false, example = "Consulting")]
    description: Option<String>,
    /// 1 to 1,000,000; 1 when left out.
    #[schema(nullable = false, example = 3, minimum = 1, maximum = 1_000_000)]
    quantity: Option<i64>,
    /// In the currency's minor unit (cents), 0 to 99,999,999.
    #[schema(nullable = false, example = 12_000, minimum = 0, maximum = 99_999_999)]
    unit_amount: Option<i64>,
}

fn drafts(lines: Vec<LineInput>) -> Vec<LineDraft> {
    lines
        .into_iter()
        .map(|l| LineDraft { id: l.id, description: l.description, quantity: l.quantity, unit_amount: l.unit_amount })
        .collect()
}

/// The body of `POST /invoices`: a new draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "customer_id": "01a1fd2b-ff10-7c4e-9a1e-2f4b3a1c9d01", "currency": "usd", "description": "November's work",
    "collection_method": "send_invoice", "days_until_due": 30,
    "lines": [{"description": "Consulting", "quantity": 3, "unit_amount": 12000}], "metadata": {"order": "42"}
}))]
pub struct NewInvoiceInput {
    /// A live customer of ours (required).
    #[schema(nullable = false, format = Uuid)]
    customer_id: Option<String>,
    /// ISO 4217 code (required), any case: one Stripe supports
    /// (https://docs.stripe.com/currencies).
    #[schema(nullable = false, example = "usd")]
    currency: Option<String>,
    /// Up to 1,000 characters.
    #[schema(nullable = false)]
    description: Option<String>,
    /// `charge_automatically` (the default) or `send_invoice`.
    #[schema(nullable = false, value_type = Option<CollectionMethod>)]
    collection_method: Option<String>,
    /// Required with `send_invoice`, refused otherwise: 0 to 3650.
    #[schema(nullable = false)]
    days_until_due: Option<i32>,
    /// Up to 100 lines; none is a draft still to be filled.
    #[schema(nullable = false)]
    lines: Option<Vec<LineInput>>,
    /// String values; keys of up to 40 characters, `catalog_sync...` excepted;
    /// at most 48 keys (Stripe's 50, less the two the sync adds).
    #[schema(nullable = false, value_type = Option<Object>)]
    metadata: Option<Map<String, Value>>,
}

/// A new draft's values, checked.
pub struct NewInvoice {
    pub customer_id: CustomerId,
    pub currency: Currency,
    pub description: Option<String>,
    pub collection_method: CollectionMethod,
    pub days_until_due: Option<i32>,
    pub lines: Lines,
    pub metadata: Metadata,
}

fn required<T>(value: Option<T>, field: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::Validation { field: Some(field.into()), message: format!("{field} is required") })
}

pub fn collection_method(raw: &str) -> Result<CollectionMethod, DomainError> {
    raw.parse().map_err(|_| DomainError::invalid("collection_method", "collection_method is charge_automatically or send_invoice"))
}

impl NewInvoiceInput {
    pub fn parse(self) -> Result<NewInvoice, ApiError> {
        let raw_customer = required(self.customer_id, "customer_id")?;
        let customer_id = CustomerId::parse(&raw_customer).map_err(|_| ApiError::Validation {
            field: Some("customer_id".into()),
            message: format!("'{raw_customer}' is not a customer id"),
        })?;
        let currency = Currency::parse(&required(self.currency, "currency")?)?;
        let collection_method =
            self.collection_method.as_deref().map(collection_method).transpose()?.unwrap_or(CollectionMethod::ChargeAutomatically);
        let lines = Lines::parse(drafts(self.lines.unwrap_or_default()), &Lines::default())?;
        currency.bills(&lines)?;
        Ok(NewInvoice {
            customer_id,
            currency,
            description: self.description.as_deref().map(invoice::description).transpose()?,
            collection_method,
            days_until_due: invoice::days_until_due(collection_method, self.days_until_due)?,
            lines,
            metadata: Metadata::default().edited(&self.metadata.unwrap_or_default())?,
        })
    }
}

/// `null` and a missing field told apart: `Some(None)` is an explicit null.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The body of `PATCH /invoices/{id}`: the fields to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "The fields to change, at least one. A draft takes any of them; a finalized invoice only `description` and `metadata`.",
    example = json!({"lines": [{"description": "Consulting", "quantity": 4, "unit_amount": 12000}]})
)]
pub struct InvoicePatch {
    /// Not changeable: an invoice keeps its customer (refused with a message).
    #[schema(nullable = false, value_type = Option<String>, format = Uuid)]
    pub customer_id: Option<Value>,
    /// Not changeable: Stripe fixes an invoice's currency with its draft
    /// (the same value is accepted, another refused with a message).
    #[schema(nullable = false, example = "usd")]
    pub currency: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(nullable = false, value_type = Option<CollectionMethod>)]
    pub collection_method: Option<String>,
    /// `null` clears it (with `charge_automatically`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub days_until_due: Option<Option<i32>>,
    /// Replaces every line: give a kept line's `id` to keep it.
    #[schema(nullable = false)]
    pub lines: Option<Vec<LineInput>>,
    /// Merged as Stripe merges it: a key set to `null` or `""` is removed;
    /// at most 48 keys after it (Stripe's 50, less the sync's two).
    #[schema(nullable = false, value_type = Option<Object>)]
    pub metadata: Option<Map<String, Value>>,
}

impl InvoicePatch {
    /// The fields given that only a draft takes.
    pub fn draft_only_fields(&self) -> Vec<&'static str> {
        let given = [
            ("currency", self.currency.is_some()),
            ("collection_method", self.collection_method.is_some()),
            ("days_until_due", self.days_until_due.is_some()),
            ("lines", self.lines.is_some()),
        ];
        given.into_iter().filter(|(_, is)| *is).map(|(name, _)| name).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.customer_id.is_none() && self.description.is_none() && self.metadata.is_none() && self.draft_only_fields().is_empty()
    }

    pub fn lines(&mut self, kept: &Lines) -> Result<Option<Lines>, DomainError> {
        self.lines.take().map(|lines| Lines::parse(drafts(lines), kept)).transpose()
    }
}
