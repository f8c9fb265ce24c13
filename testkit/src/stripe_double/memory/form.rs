//! A request's parameters as Stripe reads them: the form fields of a POST
//! body or the query of a GET, with Stripe's rules for them (unknown
//! parameters refused, an empty string unsets, `metadata[k]=` removes k).

use serde_json::{Map, Value};
use shared_models::domain::invoice::currency;

use super::errors::{invalid_parameter, invalid_value, missing_parameter, unknown_parameter, Refusal};

/// Stripe's metadata limits (https://docs.stripe.com/metadata): "You can
/// specify up to 50 keys, with key names up to 40 characters long and
/// values up to 500 characters long", keys without square brackets. The
/// 50 count every key the object holds after the update.
const MAX_METADATA_KEYS: usize = 50;
const MAX_METADATA_KEY: usize = 40;
const MAX_METADATA_VALUE: usize = 500;

pub(super) struct Form {
    fields: Vec<(String, String)>,
}

/// `metadata[k]` -> `metadata`: the parameter a nested key belongs to.
fn base(key: &str) -> &str {
    key.split('[').next().unwrap_or(key)
}

impl Form {
    pub fn parse(raw: &[u8]) -> Self {
        Self { fields: serde_urlencoded::from_bytes(raw).unwrap_or_default() }
    }

    /// The value of `key`; the last one when it is repeated, as Stripe
    /// takes the last of repeated scalars.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The parameters given (`metadata` for any `metadata[k]`), in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| base(k))
    }

    /// Stripe refuses a parameter it does not know rather than ignoring it,
    /// so a client's typo or a field an endpoint lacks (`currency` on an
    /// invoice update) shows at once. `expand` is taken everywhere; the
    /// double has nothing to expand.
    pub fn refuse_unknown(&self, allowed: &[&str]) -> Result<(), Refusal> {
        match self.fields.iter().find(|(k, _)| base(k) != "expand" && !allowed.contains(&base(k))) {
            Some((key, _)) => Err(unknown_parameter(key)),
            None => Ok(()),
        }
    }

    /// Every value of a list parameter (`types[]=a&types[]=b`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields.iter().filter(|(k, _)| base(k) == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn required(&self, key: &str) -> Result<&str, Refusal> {
        self.get(key).filter(|v| !v.is_empty()).ok_or_else(|| missing_parameter(key))
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Refusal> {
        self.get(key).map(|v| v.parse().map_err(|_| invalid_value(key, "integer", v))).transpose()
    }

    /// An integer that may be unset with an empty string (`days_until_due=`).
    pub fn optional_int(&self, key: &str) -> Result<Option<Option<i64>>, Refusal> {
        match self.get(key) {
            Some("") => Ok(Some(None)),
            _ => Ok(self.int(key)?.map(Some)),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(invalid_value(key, "boolean", other)),
        }
    }

    /// A text field: `Some(None)` when given empty, which unsets it in Stripe.
    pub fn text(&self, key: &str) -> Option<Option<String>> {
        self.get(key).map(|v| Some(v.to_owned()).filter(|v| !v.is_empty()))
    }

    /// One of Stripe's enumerated values.
    pub fn choice(&self, key: &str, choices: &[&str]) -> Result<Option<String>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if choices.contains(&v) => Ok(Some(v.to_owned())),
            // Stripe's documented codes have none for a value outside an
            // enum (https://docs.stripe.com/error-codes): no code.
            Some(v) => Err(invalid_parameter(None, &format!("Invalid {key}: must be one of {}; got '{v}'", choices.join(", ")), Some(key))),
        }
    }

    /// A currency Stripe supports (https://docs.stripe.com/currencies; the
    /// list is shared-models' `currency`, the one our API checks against),
    /// stored lower-case. Any other is refused as Stripe refuses it: a 400
    /// naming the currencies it takes, with no `code` (as a real answer
    /// shows: "Invalid currency: abc. Stripe currently supports these
    /// currencies: usd, aed, ...", param `currency`).
    pub fn currency(&self) -> Result<Option<String>, Refusal> {
        let Some(raw) = self.get("currency") else { return Ok(None) };
        let code = raw.to_ascii_lowercase();
        if currency::minor_units(&code).is_none() {
            let message =
                format!("Invalid currency: {code}. Stripe currently supports these currencies: {}", currency::supported().join(", "));
            return Err(invalid_parameter(None, &message, Some("currency")));
        }
        Ok(Some(code))
    }

    /// Applies `metadata[k]=v` to `metadata` by Stripe's rules: an empty
    /// value removes k (a sync drops a key this way), and `metadata=` alone
    /// removes every key. What Stripe refuses (see `MAX_METADATA_KEYS`) is
    /// a 400 that leaves `metadata` as it was.
    pub fn apply_metadata(&self, metadata: &mut Map<String, Value>) -> Result<(), Refusal> {
        let mut updated = metadata.clone();
        for (key, value) in &self.fields {
            if key == "metadata" && value.is_empty() {
                updated.clear();
            } else if let Some(name) = key.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
                if name.contains(['[', ']']) || name.chars().count() > MAX_METADATA_KEY {
                    let message = format!(
                        "Invalid metadata key '{name}': keys can be at most {MAX_METADATA_KEY} characters long and cannot contain '[' or ']'."
                    );
                    return Err(invalid_parameter(None, &message, Some(key)));
                }
                if value.chars().count() > MAX_METADATA_VALUE {
                    let message =
                        format!("Invalid metadata value for '{name}': values can be at most {MAX_METADATA_VALUE} characters long.");
                    return Err(invalid_parameter(None, &message, Some(key)));
                }
                if value.is_empty() {
                    updated.remove(name);
                } else {
                    updated.insert(name.to_owned(), Value::String(value.clone()));
                }
            }
        }
        if updated.len() > MAX_METADATA_KEYS {
            let message = format!(
                "Invalid metadata: an object can have at most {MAX_METADATA_KEYS} metadata keys; this update would give it {}.",
                updated.len()
            );
            return Err(invalid_parameter(None, &message, Some("metadata")));
        }
        *metadata = updated;
        Ok(())
    }
}
