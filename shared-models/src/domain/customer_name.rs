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
        // A bidi control reorders what people read (a name that displays as
        // another); a name of only invisible characters shows as nothing.
        if name.chars().any(is_bidi_control) {
            return Err(DomainError::InvalidName(
                "name must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)".into(),
            ));
        }
        if name.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
            return Err(DomainError::InvalidName("name must contain a visible character".into()));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that draw nothing: zero-width and format characters, fillers
/// and variation selectors (Unicode's default-ignorable code points).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E0FFF}')
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

    #[test]
    fn refuses_invisible_names_and_bidi_controls() {
        for bad in ["\u{200B}\u{200B}", "\u{202E}", " \u{FEFF} ", "Ada \u{202E}ecalevol", "x\u{2066}y"] {
            assert!(CustomerName::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(CustomerName::parse("Zoë\u{200D}Ann").is_ok(), "a joiner inside a visible name is fine");
    }
}
