//! A request's parameters as Stripe reads them: the form fields of a POST
//! body or the query of a GET, with Stripe's rules for them (unknown
//! parameters refused, an empty string unsets, `metadata[k]=` removes k).

use serde_json::{Map, Value};

use super::errors::{invalid, invalid_value, missing_parameter, unknown_parameter, Refusal};

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
            Some(v) => Err(invalid(
                Some("parameter_invalid"),
                &format!("Invalid {key}: must be one of {}; got '{v}'", choices.join(", ")),
                Some(key),
            )),
        }
    }

    /// A three-letter ISO code, which Stripe stores lower-case.
    pub fn currency(&self) -> Result<Option<String>, Refusal> {
        match self.get("currency") {
            None => Ok(None),
            Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => Ok(Some(c.to_ascii_lowercase())),
            Some(c) => Err(invalid_value("currency", "currency", c)),
        }
    }

    /// Applies `metadata[k]=v` to `metadata` by Stripe's rules: an empty
    /// value removes k (a sync drops a key this way), and `metadata=` alone
    /// removes every key.
    pub fn apply_metadata(&self, metadata: &mut Map<String, Value>) {
        for (key, value) in &self.fields {
            if key == "metadata" && value.is_empty() {
                metadata.clear();
            } else if let Some(name) = key.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
                if value.is_empty() {
                    metadata.remove(name);
                } else {
                    metadata.insert(name.to_owned(), Value::String(value.clone()));
                }
            }
        }
    }
}
