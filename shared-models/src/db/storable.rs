//! Makes whatever an outside system sends storable in PostgreSQL, which
//! refuses one thing only: the NUL character, in `text` and in `jsonb`
//! (`\u0000`). Stripe accepts NUL in names, emails and metadata, so one such
//! record would otherwise make every store of its event fail.
//!
//! JSON documents are escaped reversibly, and only documents that contain a
//! NUL: the row is marked (`payload_escaped`, `remote_escaped`) and readers
//! get the exact original back. Inside a marked document every string and
//! key has DLE (U+0010) doubled and NUL written as DLE `0`. DLE is itself a
//! control character, so a reader that ignored the mark would still see a
//! control character where the NUL was, and the catalog's rules (names and
//! emails refuse control characters) would refuse it as they refuse the
//! NUL: an escaped value can never be taken in as if it were a valid one.
//!
//! Free text we write ourselves about such input (problems, errors) is not
//! data: there NUL becomes U+FFFD, the replacement character.

use std::borrow::Cow;

use serde_json::{Map, Value};

const NUL: char = '\0';
const DLE: char = '\u{10}';

/// The document as stored, and whether it was escaped (the row's mark).
/// Documents without a NUL are stored as they are.
pub fn escape_json(value: &Value) -> (Cow<'_, Value>, bool) {
    if has_nul(value) {
        (Cow::Owned(map_strings(value, &escape_str)), true)
    } else {
        (Cow::Borrowed(value), false)
    }
}

/// The original document of a stored one; `escaped` is the row's mark.
pub fn unescape_json(value: Value, escaped: bool) -> Value {
    if escaped {
        map_strings(&value, &unescape_str)
    } else {
        value
    }
}

/// Diagnostic text made storable in a `text` column.
pub fn text(s: &str) -> Cow<'_, str> {
    if s.contains(NUL) {
        Cow::Owned(s.replace(NUL, "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(NUL),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains(NUL) || has_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The same document with `f` applied to every string and every key.
fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (f(k), map_strings(v, f))).collect::<Map<_, _>>()),
        other => other.clone(),
    }
}

fn escape_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            NUL => out.extend([DLE, '0']),
            DLE => out.extend([DLE, DLE]),
            c => out.push(c),
        }
    }
    out
}

fn unescape_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != DLE {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('0') => out.push(NUL),
            Some(DLE) => out.push(DLE),
            // Not written by escape_str: kept as it is.
            Some(other) => out.extend([DLE, other]),
            None => out.push(DLE),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_document_without_nul_is_stored_as_it_is() {
        let doc = json!({"name": "Ada \u{10} Lovelace", "n": [1, null, true], "metadata": {"k": "v"}});
        let (stored, escaped) = escape_json(&doc);
        assert!(!escaped);
        assert_eq!(*stored, doc);
        assert_eq!(unescape_json(stored.into_owned(), false), doc);
    }

    #[test]
    fn nul_anywhere_is_escaped_without_nul_and_comes_back_exactly() {
        let doc = json!({
            "name": "Poison\u{0}Pill", "email": "\u{0}", "dle": "a\u{10}0b\u{10}", "both": "\u{10}\u{0}\u{10}\u{10}0",
            "metadata": {"k\u{0}ey": "v\u{0}"}, "list": ["x", "\u{0}\u{0}"], "plain": "Ada", "n": 3,
        });
        let (stored, escaped) = escape_json(&doc);
        assert!(escaped);
        assert!(!stored.to_string().contains("\\u0000"), "{stored}");
        assert_eq!(stored["plain"], "Ada", "strings without NUL or DLE are unchanged");
        assert_eq!(unescape_json(stored.into_owned(), true), doc);
    }

    #[test]
    fn an_escaped_value_still_holds_a_control_character() {
        let doc = json!({"name": "Poison\u{0}Pill"});
        let (stored, _) = escape_json(&doc);
        let name = stored["name"].as_str().unwrap_or_default().to_owned();
        assert!(name.chars().any(char::is_control), "{name:?}");
        assert!(crate::domain::CustomerName::parse(&name).is_err());
    }

    #[test]
    fn text_replaces_nul_only() {
        assert_eq!(text("a\u{0}b\u{10}"), "a\u{FFFD}b\u{10}");
        assert!(matches!(text("plain"), Cow::Borrowed("plain")));
    }
}
