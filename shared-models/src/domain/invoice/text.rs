//! An invoice's text values: its currency, its description and its
//! metadata, each within the limits Stripe sets, so that what we accept
//! Stripe accepts too.

use std::collections::BTreeMap;

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::jsonb::jsonb_value;
use crate::domain::DomainError;

const MAX_KEYS: usize = 50;
const MAX_KEY: usize = 40;
const MAX_VALUE: usize = 500;
/// The sync writes these itself (our id and version), so a client may not.
pub const RESERVED_PREFIX: &str = "catalog_sync";
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

/// An ISO 4217 code, stored lower-case as Stripe writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim().to_ascii_lowercase();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(DomainError::invalid("currency", format!("'{raw}' is not a currency: give its three-letter ISO code, like usd")));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// String keys and values, within Stripe's limits (50 keys, keys of 40
/// characters without brackets, values of 500).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Jsonb)]
#[serde(transparent)]
pub struct Metadata(BTreeMap<String, String>);

jsonb_value!(Metadata);

impl Metadata {
    /// `changes` applied to `self`, as Stripe applies them: a key set to
    /// `null` or `""` is removed, the others are set.
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
    fn currencies_are_three_letters_lower_cased() {
        assert_eq!(Currency::parse(" EUR ").map(|c| c.0), Ok("eur".into()));
        for bad in ["", "eu", "euro", "e1r", "€ur"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
    }

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

    #[test]
    fn descriptions_are_trimmed_and_bounded() {
        assert_eq!(description("  Thanks \n"), Ok("Thanks".into()));
        assert!(description(" ").is_err());
        assert!(description(&"x".repeat(MAX_DESCRIPTION + 1)).is_err());
        assert!(description("a\u{0}b").is_err());
    }
}
