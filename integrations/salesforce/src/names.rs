//! A customer's one `name` as a Contact's `FirstName` (up to 40 characters)
//! and `LastName` (required, up to 80), by a rule that survives the round
//! trip name → Contact → name:
//!
//! - **Split:** the last word is `LastName`, everything before it
//!   `FirstName` ("Ada King Lovelace" → "Ada King" + "Lovelace"). The whole
//!   name goes to `LastName` (up to 80) when it is one word, when the first
//!   part would be longer than 40 characters, or when its words are not
//!   separated by single spaces (a double space, a tab): those could not be
//!   told apart again.
//! - **Join:** `FirstName`, one space, `LastName`; `LastName` alone when
//!   `FirstName` is empty.
//!
//! Names are trimmed and their inner spaces kept as they are, so the join
//! gives back exactly the name that was split. A name longer than the two
//! fields can hold cannot be written (a permanent error, shown on the
//! customer); one a person typed in Salesforce is joined as it is.

const FIRST_MAX: usize = 40;
const LAST_MAX: usize = 80;

/// A Contact's two name fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactName {
    pub first: Option<String>,
    pub last: String,
}

/// Why a name cannot be written to a Contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong {
    pub chars: usize,
}

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a name of {} characters does not fit a Salesforce Contact (FirstName 40 + LastName 80)", self.chars)
    }
}

/// Splits `name` (trimmed, not empty) into a Contact's fields.
pub fn split(name: &str) -> Result<ContactName, TooLong> {
    let name = name.trim();
    let chars = name.chars().count();
    let single_spaced = !name.contains("  ") && name.chars().all(|c| c == ' ' || !c.is_whitespace());
    if let Some((first, last)) = name.rsplit_once(' ').filter(|_| single_spaced) {
        if !first.is_empty() && first.chars().count() <= FIRST_MAX && last.chars().count() <= LAST_MAX {
            return Ok(ContactName { first: Some(first.to_owned()), last: last.to_owned() });
        }
    }
    if chars <= LAST_MAX {
        return Ok(ContactName { first: None, last: name.to_owned() });
    }
    Err(TooLong { chars })
}

/// Joins a Contact's fields into one name; `None` when both are empty.
pub fn join(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let first = first.map(str::trim).filter(|f| !f.is_empty());
    let last = last.map(str::trim).filter(|l| !l.is_empty());
    match (first, last) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        (first, last) => first.or(last).map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(name: &str) -> Option<String> {
        let contact = split(name).ok()?;
        join(contact.first.as_deref(), Some(&contact.last))
    }

    #[test]
    fn the_last_word_is_the_last_name() {
        assert_eq!(split("Ada King Lovelace"), Ok(ContactName { first: Some("Ada King".into()), last: "Lovelace".into() }));
        assert_eq!(split("Cher"), Ok(ContactName { first: None, last: "Cher".into() }));
        assert_eq!(split("Zoë  Ångström"), Ok(ContactName { first: None, last: "Zoë  Ångström".into() }));
        assert_eq!(join(Some("Ada"), Some("Lovelace")).as_deref(), Some("Ada Lovelace"));
        assert_eq!(join(None, Some("Cher")).as_deref(), Some("Cher"));
        assert_eq!(join(Some("Only First"), None).as_deref(), Some("Only First"));
        assert_eq!(join(Some(" "), Some("")), None);
    }

    #[test]
    fn every_name_that_fits_comes_back_as_it_was() {
        let long_first = format!("{} Smith", "A".repeat(45));
        for name in ["Ada Lovelace", "Zoë  Ångström", "Jean-Luc Picard", "Cher", "a b c d e", long_first.as_str(), "Ōtsuka Ai"] {
            assert_eq!(round_trip(name).as_deref(), Some(name), "{name}");
        }
    }

    #[test]
    fn a_name_too_long_for_both_fields_is_refused() {
        assert_eq!(split(&"x".repeat(81)), Err(TooLong { chars: 81 }));
        assert!(split(&format!("{} {}", "a".repeat(50), "b".repeat(81))).is_err());
        assert!(split(&format!("{} {}", "a".repeat(40), "b".repeat(80))).is_ok());
    }
}
