//! An invoice's text values: its description and its metadata, each within
//! the limits Stripe sets, so that what we accept Stripe accepts too.

use std::collections::BTreeMap;

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::jsonb::jsonb_value;
use crate::domain::DomainError;

/// Stripe's limits (https://docs.stripe.com/metadata): "You can specify
/// up to 50 keys, with key names up to 40 characters long and values up to
/// 500 characters long", and keys "can't contain square brackets".
const MAX_KEYS: usize = 50;
const MAX_KEY: usize = 40;
const MAX_VALUE: usize = 500;
/// The sync writes these itself (our id and version), so a client may not.
pub const RESERVED_PREFIX: &str = "catalog_sync";
/// How many keys the sync adds to every Stripe invoice
/// (`catalog_sync_id`, `catalog_sync_version`); Stripe's 50 count them.
pub const SYNC_KEYS: usize = 2;
/// How many keys of its own a product may give an invoice: the rest of
/// Stripe's 50 is kept for the sync's.
pub const MAX_PRODUCT_KEYS: usize = MAX_KEYS - SYNC_KEYS;
pub const MAX_DESCRIPTION: usize = 1_000;

/// Trimmed, not empty, at most `max` characters, no control characters.
pub(super) fn free_text(field: &str, raw: &str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::invalid(field, format!("{field} must not be empty")));
    }
    if text.chars().count() > max {
        return Err(DomainError::invalid(field, format!("{field} must be at most {max} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::invalid(field, format!("{field} must not contain control characters")));
    }
    Ok(text.to_owned())
}

/// An invoice's description (`None` in a request clears it).
pub fn description(raw: &str) -> Result<String, DomainError> {
    free_text("description", raw, MAX_DESCRIPTION)
}

/// String keys and values, within Stripe's limits (50 keys, keys of 40
/// characters without brackets, values of 500). A product's own edits keep
/// room for the sync's keys (`edited`); what Stripe holds fits in 50.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Jsonb)]
#[serde(transparent)]
pub struct Metadata(BTreeMap<String, String>);

jsonb_value!(Metadata);

impl Metadata {
    /// A product's edit: `changes` merged as in `merged`, and at most
    /// `MAX_PRODUCT_KEYS` keys after it, since the sync adds its two to the
    /// Stripe invoice and Stripe refuses a 51st. An invoice that came in
    /// from Stripe with more (a dashboard user's keys) may still shed keys
    /// or change values: only growing past the limit is refused.
    pub fn edited(&self, changes: &serde_json::Map<String, Value>) -> Result<Self, DomainError> {
        let edited = self.merged(changes)?;
        if edited.0.len() > MAX_PRODUCT_KEYS && edited.0.len() > self.0.len() {
            return Err(DomainError::invalid(
                "metadata",
                format!(
                    "an invoice has at most {MAX_PRODUCT_KEYS} metadata keys of its own: Stripe allows {MAX_KEYS} \
                     and the sync keeps {SYNC_KEYS} for its own (catalog_sync_id, catalog_sync_version)"
                ),
            ));
        }
        Ok(edited)
    }

    /// `changes` applied to `self`, as Stripe applies them: a key set to
    /// `null` or `""` is removed, the others are set. At most Stripe's 50
    /// keys: this also takes in what a Stripe invoice holds, whose keys
    /// may fill all 50 when made in the dashboard.
    pub fn merged(&self, changes: &serde_json::Map<String, Value>) -> Result<Self, DomainError> {
        let mut merged = self.0.clone();
        for (key, value) in changes {
            let field = format!("metadata.{key}");
            if key.is_empty() || key.chars().count() > MAX_KEY || key.contains(['[', ']']) || key.chars().any(char::is_control) {
                return Err(DomainError::invalid(
                    field,
                    format!("metadata keys are 1 to {MAX_KEY} characters, without brackets or control characters"),
                ));
            }
            if key.starts_with(RESERVED_PREFIX) {
                return Err(DomainError::invalid(field, format!("metadata keys starting with {RESERVED_PREFIX} are the sync's own")));
            }
            match value {
                Value::Null => {
                    merged.remove(key);
                }
                Value::String(text) if text.is_empty() => {
                    merged.remove(key);
                }
                Value::String(text) if text.chars().count() > MAX_VALUE || text.contains('\0') => {
                    return Err(DomainError::invalid(field, format!("metadata values are at most {MAX_VALUE} characters, without NUL")));
                }
                Value::String(text) => {
                    merged.insert(key.clone(), text.clone());
                }
                _ => return Err(DomainError::invalid(field, "metadata values are strings (null or \"\" removes the key)")),
            }
        }
        if merged.len() > MAX_KEYS {
            return Err(DomainError::invalid("metadata", format!("an invoice has at most {MAX_KEYS} metadata keys")));
        }
        Ok(Self(merged))
    }

    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn metadata_merges_as_stripe_does_and_keeps_our_keys_ours() {
        let start = Metadata::default().merged(json!({"a": "1", "b": "2"}).as_object().unwrap()).unwrap();
        let merged = start.merged(json!({"a": null, "b": "", "c": "3"}).as_object().unwrap()).unwrap();
        assert_eq!(merged.entries().iter().collect::<Vec<_>>(), [(&"c".to_owned(), &"3".to_owned())]);
        let refused = |changes: Value| start.merged(changes.as_object().unwrap()).unwrap_err().field().to_owned();
        assert_eq!(refused(json!({"catalog_sync_id": "x"})), "metadata.catalog_sync_id");
        assert_eq!(refused(json!({"n": 1})), "metadata.n");
        assert_eq!(refused(json!({"a[b]": "x"})), "metadata.a[b]");
        let many: serde_json::Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
        assert_eq!(start.merged(&many).unwrap_err().field(), "metadata");
    }

    /// Stripe allows 50 keys in all and the sync adds two: a product's
    /// 49th is refused, with the reason, while what Stripe holds (50 keys of
    /// a dashboard user) is taken in and may shrink.
    #[test]
    fn a_products_keys_leave_room_for_the_syncs_two() {
        let keys = |n: usize| -> serde_json::Map<String, Value> { (0..n).map(|i| (format!("k{i}"), json!("v"))).collect() };
        let full = Metadata::default().edited(&keys(48)).unwrap();
        let refused = Metadata::default().edited(&keys(49)).unwrap_err();
        assert_eq!(refused.field(), "metadata");
        assert!(refused.to_string().contains("48") && refused.to_string().contains("catalog_sync_id"), "{refused}");
        assert_eq!(full.edited(json!({"one_more": "x"}).as_object().unwrap()).unwrap_err().field(), "metadata");

        let from_stripe = Metadata::default().merged(&keys(50)).unwrap();
        let shed = from_stripe.edited(json!({"k0": null, "k1": "changed"}).as_object().unwrap()).unwrap();
        assert_eq!(shed.entries().len(), 49);
        assert!(from_stripe.edited(json!({"new": "x"}).as_object().unwrap()).is_err());
    }

    #[test]
    fn descriptions_are_trimmed_and_bounded() {
        assert_eq!(description("  Thanks \n"), Ok("Thanks".into()));
        assert!(description(" ").is_err());
        assert!(description(&"x".repeat(MAX_DESCRIPTION + 1)).is_err());
        assert!(description("a\u{0}b").is_err());
    }
}
