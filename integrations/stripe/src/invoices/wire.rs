//! Stripe's invoice and line JSON, read leniently into types of our own:
//! only the fields the sync needs, each optional where the emulator or an
//! older API version leaves it out (async-stripe's `Invoice` requires
//! fields localstripe never sends). And the forms our writes send.

use std::collections::BTreeMap;

use invoice_catalog::InvoiceRecord;
use serde::Deserialize;
use shared_models::domain::invoice::InvoiceLine;

/// Metadata key holding our invoice id on the Stripe invoice.
pub const INVOICE_ID_KEY: &str = "catalog_sync_id";
/// Metadata key holding the version of our invoice we last wrote.
pub const INVOICE_VERSION_KEY: &str = "catalog_sync_version";
/// Metadata key holding our line id on a Stripe invoice item (and its line).
pub const LINE_ID_KEY: &str = "catalog_sync_line";

#[derive(Debug, Clone, Deserialize)]
pub struct RemoteInvoice {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    /// An id, or the customer object when expanded.
    #[serde(default)]
    pub customer: Option<serde_json::Value>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub collection_method: Option<String>,
    /// Stripe's invoice has no `days_until_due` (a request parameter
    /// only): its terms are read from `due_date` (see `days_until_due()`).
    #[serde(default)]
    pub due_date: Option<i64>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub status_transitions: Option<serde_json::Value>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub lines: Option<LineList>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub amount_due: Option<i64>,
    #[serde(default)]
    pub amount_paid: Option<i64>,
    #[serde(default)]
    pub amount_remaining: Option<i64>,
    #[serde(default)]
    pub hosted_invoice_url: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LineList {
    #[serde(default)]
    pub data: Vec<RemoteLine>,
    #[serde(default)]
    pub has_more: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RemoteLine {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Deprecated: "in integer format, with any decimal precision truncated".
    #[serde(default)]
    pub quantity: Option<i64>,
    /// The whole quantity, a decimal string (since 2026-03-25.dahlia).
    #[serde(default)]
    pub quantity_decimal: Option<String>,
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Older API versions name the item here (events may still come in
    /// the account's older version)...
    #[serde(default)]
    pub invoice_item: Option<String>,
    /// ...newer ones under `parent.invoice_item_details`.
    #[serde(default)]
    pub parent: Option<serde_json::Value>,
}

impl RemoteInvoice {
    /// An invoice Stripe no longer has.
    pub fn gone(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            status: None,
            customer: None,
            metadata: None,
            description: None,
            collection_method: None,
            due_date: None,
            created: None,
            status_transitions: None,
            currency: None,
            lines: None,
            number: None,
            total: None,
            amount_due: None,
            amount_paid: None,
            amount_remaining: None,
            hosted_invoice_url: None,
            deleted: Some(true),
        }
    }

    pub fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("draft")
    }

    /// The days from its creation until it is due, as `days_until_due`
    /// asked ("The number of days from when the invoice is created until it
    /// is due", PostInvoices, docs.stripe.com/api/invoices/create), read
    /// from `due_date`: whole days from `created`. Stripe's documents do not
    /// rule out a due date counted from finalization instead, so one that
    /// is whole days from `finalized_at` and not from `created` is counted
    /// from there (only a finalization whole days after creation, to the
    /// second, reads otherwise). A date set as a date (the dashboard's
    /// `due_date`) rounds up to whole days. `None` for charge_automatically.
    pub fn days_until_due(&self) -> Option<i64> {
        const DAY: i64 = 86_400;
        if self.collection_method.as_deref() != Some("send_invoice") {
            return None;
        }
        let (due, created) = (self.due_date?, self.created?);
        let finalized = self.status_transitions.as_ref().and_then(|t| t.get("finalized_at")).and_then(serde_json::Value::as_i64);
        if (due - created) % DAY != 0 {
            if let Some(at) = finalized.filter(|at| due >= *at && (due - at) % DAY == 0) {
                return Some((due - at) / DAY);
            }
        }
        Some(((due - created).max(0) + DAY - 1) / DAY)
    }

    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref().and_then(|m| m.get(key)).map(String::as_str)
    }

    pub fn customer_id(&self) -> Option<&str> {
        match &self.customer {
            Some(serde_json::Value::String(id)) => Some(id),
            Some(object) => object.get("id").and_then(|id| id.as_str()),
            None => None,
        }
    }

    /// The product's own metadata: without the sync's keys.
    pub fn own_metadata(&self) -> BTreeMap<String, String> {
        let mut metadata = self.metadata.clone().unwrap_or_default();
        metadata.retain(|k, _| !k.starts_with(shared_models::domain::invoice::RESERVED_PREFIX));
        metadata
    }
}

impl RemoteLine {
    /// The invoice item behind the line, if it is one.
    pub fn item(&self) -> Option<&str> {
        self.invoice_item
            .as_deref()
            .or_else(|| self.parent.as_ref().and_then(|p| p.pointer("/invoice_item_details/invoice_item")).and_then(|i| i.as_str()))
    }

    pub fn our_line(&self) -> Option<&str> {
        self.metadata.as_ref().and_then(|m| m.get(LINE_ID_KEY)).map(String::as_str)
    }

    /// The line's quantity when it is a whole number: `quantity_decimal`
    /// where Stripe gives it (`quantity` truncates 1.5 to 1), else
    /// `quantity`. `None` for a fractional one (a dashboard's 1.5 hours),
    /// which no line here can hold.
    pub fn quantity(&self) -> Option<i64> {
        let quantity = match self.quantity_decimal.as_deref() {
            Some(decimal) => whole(decimal)?,
            None => self.quantity.unwrap_or(1),
        };
        Some(quantity.max(1))
    }

    /// Whether the line bills exactly what `line` does.
    pub fn bills(&self, line: &InvoiceLine, currency: &str) -> bool {
        self.description.as_deref() == Some(line.description.as_str())
            && self.quantity() == Some(line.quantity)
            && self.amount == line.amount()
            && self.currency.as_deref().is_none_or(|c| c == currency)
    }
}

/// "12" or "12.000" as 12; `None` for "1.5" or what is no number.
fn whole(decimal: &str) -> Option<i64> {
    let (units, places) = decimal.trim().split_once('.').unwrap_or((decimal.trim(), ""));
    places.bytes().all(|b| b == b'0').then(|| units.parse().ok()).flatten()
}

/// `metadata[k]=v` pairs: the product's keys, our id and version, and an
/// empty value for each key the outside invoice holds that we no longer
/// do (Stripe removes a key set to "").
pub fn metadata_form(record: &InvoiceRecord, outside: Option<&RemoteInvoice>) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = record.metadata.iter().map(|(k, v)| (format!("metadata[{k}]"), v.clone())).collect();
    form.push((format!("metadata[{INVOICE_ID_KEY}]"), record.id.to_string()));
    form.push((format!("metadata[{INVOICE_VERSION_KEY}]"), record.version.to_string()));
    if let Some(outside) = outside {
        for key in outside.own_metadata().keys().filter(|k| !record.metadata.contains_key(*k)) {
            form.push((format!("metadata[{key}]"), String::new()));
        }
    }
    form
}

/// The invoice item form of one line (`quantity_decimal`: `quantity` is
/// deprecated on invoice items since 2026-03-25.dahlia).
pub fn line_form(line: &InvoiceLine, currency: &str) -> Vec<(String, String)> {
    vec![
        ("description".into(), line.description.clone()),
        ("quantity_decimal".into(), line.quantity.to_string()),
        ("unit_amount_decimal".into(), line.unit_amount.to_string()),
        ("currency".into(), currency.to_owned()),
        (format!("metadata[{LINE_ID_KEY}]"), line.id.to_string()),
    ]
}
