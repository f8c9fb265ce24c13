//! An invoice as an integration holds it, unchecked, and checked by the
//! catalog's rules: what `inward` takes in.

use std::collections::BTreeMap;

use shared_models::db::invoices::Mirrored;
use shared_models::domain::invoice::{self, CollectionMethod, Currency, InvoiceStatus, LineDraft, Lines, Metadata};
use uuid::Uuid;

use crate::{invoice_fingerprint, InvoiceRecord};

/// What a line without a description outside is called here.
pub const NO_DESCRIPTION: &str = "(no description)";

/// A line as an integration holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideLine {
    /// The id of ours the line carries, if any.
    pub our_id: Option<String>,
    pub description: Option<String>,
    pub quantity: i64,
    pub unit_amount: i64,
    /// Why the line cannot be one here (a fractional quantity, say): the
    /// invoice is then refused, never taken in with the line changed.
    pub unreadable: Option<String>,
}

/// An invoice's synced fields as an integration holds them, unchecked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutsideInvoice {
    /// The integration's id of its customer...
    pub customer_external_id: Option<String>,
    /// ...and the local customer linked to it (`resolve`).
    pub customer_id: Option<Uuid>,
    pub currency: Option<String>,
    pub description: Option<String>,
    pub collection_method: Option<String>,
    pub days_until_due: Option<i64>,
    pub status: Option<String>,
    pub lines: Vec<OutsideLine>,
    /// The product's own keys (never the sync's).
    pub metadata: BTreeMap<String, String>,
    pub mirrored: Mirrored,
}

/// Those fields as the catalog accepts them.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub customer_id: Uuid,
    pub currency: Currency,
    pub description: Option<String>,
    pub collection_method: CollectionMethod,
    pub days_until_due: Option<i32>,
    pub status: InvoiceStatus,
    pub lines: Lines,
    pub metadata: Metadata,
    pub mirrored: Mirrored,
}

impl OutsideInvoice {
    fn billed(&self) -> Vec<(String, i64, i64)> {
        let mut billed: Vec<_> =
            self.lines.iter().map(|l| (l.description.clone().unwrap_or_default(), l.quantity, l.unit_amount)).collect();
        billed.sort();
        billed
    }

    pub fn fingerprint(&self) -> Option<String> {
        let status = self.status.as_deref()?.parse::<InvoiceStatus>().ok()?;
        Some(invoice_fingerprint(status, self.description.as_deref(), &self.billed(), &self.metadata))
    }

    pub fn accept(&self) -> Result<Accepted, String> {
        let Some(customer_id) = self.customer_id else {
            let customer = self.customer_external_id.as_deref().unwrap_or("(none)");
            return Err(format!("its customer {customer} is not linked to any customer here"));
        };
        if let Some(why) = self.lines.iter().find_map(|l| l.unreadable.clone()) {
            return Err(why);
        }
        let currency = Currency::parse(self.currency.as_deref().unwrap_or_default()).map_err(|e| e.to_string())?;
        let status = self.status.as_deref().unwrap_or("draft").parse::<InvoiceStatus>()?;
        let collection_method = self.collection_method.as_deref().unwrap_or("charge_automatically").parse::<CollectionMethod>()?;
        let days = self.days_until_due.and_then(|d| i32::try_from(d).ok()).filter(|_| collection_method == CollectionMethod::SendInvoice);
        let days_until_due = invoice::days_until_due(collection_method, days).map_err(|e| e.to_string())?;
        let description = match self.description.as_deref().filter(|d| !d.is_empty()) {
            Some(raw) => Some(invoice::description(raw).map_err(|e| e.to_string())?),
            None => None,
        };
        let drafts = self
            .lines
            .iter()
            .map(|l| LineDraft {
                id: l.our_id.clone(),
                // A line the integration made (a subscription's, say) may
                // carry none; a line here always has one.
                description: Some(l.description.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| NO_DESCRIPTION.to_owned())),
                quantity: Some(l.quantity),
                unit_amount: Some(l.unit_amount),
            })
            .collect();
        let lines = Lines::from_outside(drafts).map_err(|e| e.to_string())?;
        let changes = self.metadata.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        // As an edit here: more keys than leave room for the sync's two
        // could never be written back (Stripe refuses a 51st), so such an
        // invoice is a visible conflict rather than a write that fails.
        let metadata = Metadata::default().edited(&changes).map_err(|e| e.to_string())?;
        Ok(Accepted {
            customer_id,
            currency,
            description,
            collection_method,
            days_until_due,
            status,
            lines,
            metadata,
            mirrored: self.mirrored.clone(),
        })
    }
}

impl Accepted {
    /// Whether the entity holds exactly these synced values.
    pub fn agrees(&self, local: &InvoiceRecord) -> bool {
        let mut billed: Vec<_> = self.lines.as_slice().iter().map(|l| (l.description.clone(), l.quantity, l.unit_amount)).collect();
        billed.sort();
        self.customer_id == local.customer_id
            && self.currency.as_str() == local.currency
            && self.description == local.description
            && self.collection_method == local.collection_method
            && self.days_until_due == local.days_until_due
            && self.status == local.status
            && billed == local.billed()
            && self.metadata.entries() == &local.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_keys(n: usize) -> OutsideInvoice {
        OutsideInvoice {
            customer_id: Some(Uuid::nil()),
            currency: Some("usd".into()),
            status: Some("draft".into()),
            metadata: (0..n).map(|i| (format!("k{i}"), "v".to_owned())).collect(),
            ..OutsideInvoice::default()
        }
    }

    #[test]
    fn an_invoice_without_room_for_the_syncs_keys_is_not_taken_in() {
        assert!(with_keys(shared_models::domain::invoice::MAX_PRODUCT_KEYS).accept().is_ok());
        let refused = with_keys(shared_models::domain::invoice::MAX_PRODUCT_KEYS + 1).accept().unwrap_err();
        assert!(refused.contains("catalog_sync_id"), "{refused}");
    }
}
