use std::fmt;

use serde::Serialize;

use super::DomainError;

/// Stripe accepts names up to 256 characters; so do we.
const MAX_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CustomerName(String);

impl CustomerName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(DomainError::InvalidName("name must not be empty".into()));
        }
        if name.chars().count() > MAX_CHARS {
            return Err(DomainError::InvalidName(format!("name must be at most {MAX_CHARS} characters")));
        }
        if name.chars().any(char::is_control) {
            return Err(DomainError::InvalidName("name must not contain control characters".into()));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_unicode() {
        assert_eq!(CustomerName::parse("  Zoë Ångström ").map(|n| n.0), Ok("Zoë Ångström".into()));
    }

    #[test]
    fn refuses_empty_long_and_control_characters() {
        assert!(CustomerName::parse("   ").is_err());
        assert!(CustomerName::parse(&"x".repeat(257)).is_err());
        assert!(CustomerName::parse(&"é".repeat(256)).is_ok());
        assert!(CustomerName::parse("a\u{0}b").is_err());
    }
}
