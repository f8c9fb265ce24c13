use std::fmt;
use std::str::FromStr;

use email_address::EmailAddress;
use serde::Serialize;

use super::DomainError;

/// Stripe stores emails up to 512 characters, but SMTP allows 254.
const MAX_CHARS: usize = 254;

/// A syntactically valid address with a dotted domain, stored lower-cased so
/// that uniqueness and Stripe's exact-match `email` filter agree.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let candidate = raw.trim().to_lowercase();
        let invalid = |why: &str| Err(DomainError::InvalidEmail(format!("'{}' is not a valid email address: {why}", raw.trim())));
        if candidate.is_empty() {
            return Err(DomainError::InvalidEmail("email must not be empty".into()));
        }
        if candidate.chars().count() > MAX_CHARS {
            return invalid("too long");
        }
        // Quoted local parts and IP-literal domains are valid RFC 5322 but
        // no mailbox a customer catalog should hold.
        if candidate.contains(['"', '[', ']', ' ']) {
            return invalid("quotes, brackets and spaces are not allowed");
        }
        // Whatever an outside system holds (Stripe takes a NUL) is refused
        // here, not stored, and never sent on.
        if candidate.chars().any(char::is_control) {
            return invalid("control characters are not allowed");
        }
        let parsed = match EmailAddress::from_str(&candidate) {
            Ok(parsed) => parsed,
            Err(e) => return invalid(&e.to_string().to_lowercase()),
        };
        // The domain in its ASCII form (IDNA): `exаmple.com` with a Cyrillic
        // `а` is stored as `xn--exmple-4nf.com`, visibly not example.com.
        let Ok(domain) = idna::domain_to_ascii(parsed.domain()) else { return invalid("the domain is not a valid internationalised name") };
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        // No top-level domain is all digits: `a@1.2` is an IP address's shape.
        let tld_ok = domain.rsplit('.').next().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
        if !domain.contains('.') || !labels_ok || !tld_ok {
            return invalid("the domain must be a name like example.com");
        }
        let address = format!("{}@{domain}", parsed.local_part());
        if address.chars().count() > MAX_CHARS {
            return invalid("too long");
        }
        Ok(Self(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_them() {
        assert_eq!(Email::parse(" Ada.Lovelace+x@Example.co.uk ").map(|e| e.0), Ok("ada.lovelace+x@example.co.uk".into()));
    }

    #[test]
    fn stores_domains_in_their_ascii_form() {
        let lookalike = Email::parse("ada@ex\u{430}mple.com").map(|e| e.0).unwrap_or_default();
        assert!(lookalike.starts_with("ada@xn--") && lookalike != "ada@example.com", "{lookalike}");
        assert_eq!(Email::parse("zoe@Bücher.de").map(|e| e.0), Ok("zoe@xn--bcher-kva.de".into()));
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in ["", "plain", "a@", "@b.com", "a@b", "a b@c.com", "a@@b.com", "a@-b.com", "a@b..com", "\"a\"@b.com", "a@[1.2.3.4]"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
        for numeric in ["a@1.2", "a@10.0.0.1", "a@example.123"] {
            assert!(Email::parse(numeric).is_err(), "{numeric} should be refused");
        }
        for control in ["a\u{0}@b.com", "a@b.com\u{0}", "a\u{7}@b.com", "a@b\u{10}.com"] {
            assert!(Email::parse(control).is_err(), "{control:?} should be refused");
        }
    }
}
