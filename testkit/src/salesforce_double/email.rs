//! Email field values, checked and stored as Salesforce does, for the API
//! and for a person alike (the UI validates too). Sources:
//!
//! - help.salesforce.com article 000384328 ("Salesforce Email Address
//!   Format Technical Standards Validation"): the RFC's character range,
//!   non-Latin characters only with Email Address Internationalization
//!   (EAI) set up, most email fields limited to 80 characters (the field's
//!   length, checked in `fields::checked`), addresses **stored lower
//!   case**, and consecutive periods allowed in the middle and at the end
//!   of the local part but not at its start (`a..a@test.jp`, `a..@test.jp`
//!   pass, `.a@test.jp` does not).
//! - Knowledge article 000001145 ("How does Salesforce qualify an email
//!   address?"): the domain is `0-9`, `A-Z`, `a-z` and `-`.
//! - The refusal is `INVALID_EMAIL_ADDRESS`, 400, on the field (the API's
//!   status codes; the message follows the observed `Email: invalid email
//!   address: <value>`).
//!
//! Not documented, so kept conservative (refused): quoted local parts,
//! comments in parentheses (000001145 allows them; rare enough that a
//! stricter double costs nothing), IP-literal domains, a domain without a
//! dot, and labels that start or end with `-` (RFC 1035).

use super::errors::SfError;

/// RFC 5322 `atext` besides letters and digits: what a local part may hold.
const LOCAL_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

/// The value to store (lower case), or Salesforce's refusal. `eai` is the
/// org's Email Address Internationalization: without it a non-ASCII
/// character anywhere is refused.
pub fn checked(value: &str, eai: bool) -> Result<String, SfError> {
    if valid(value, eai) {
        Ok(value.to_lowercase())
    } else {
        Err(SfError::new(400, "INVALID_EMAIL_ADDRESS", format!("Email: invalid email address: {value}")).on_field("Email"))
    }
}

fn valid(value: &str, eai: bool) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    let allowed = |c: char, ascii: fn(char) -> bool| ascii(c) || (eai && !c.is_ascii() && c.is_alphanumeric());
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && local.chars().all(|c| allowed(c, |c| c.is_ascii_alphanumeric() || c == '.' || LOCAL_SPECIALS.contains(c)));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| allowed(c, |c| c.is_ascii_alphanumeric() || c == '-'))
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_pass_and_are_lower_cased() {
        for ok in ["ada@example.com", "O'Hara+tag@Example.co.uk", "a..a@test.jp", "a..@test.jp", "x_y-z{1}@mail-1.example.org"] {
            assert_eq!(checked(ok, false), Ok(ok.to_lowercase()), "{ok}");
        }
    }

    #[test]
    fn other_shapes_are_refused_on_the_field() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "ada@",
            ".a@test.jp",
            "ada lovelace@example.com",
            "ada@@example.com",
            "ada@localhost",
            "ada@example..com",
            "ada@-example.com",
            "ada@example.com.",
            "\"quoted\"@example.com",
            "ada@[127.0.0.1]",
        ] {
            let refused = checked(bad, false).expect_err(bad);
            assert_eq!(
                (refused.status, refused.error_code.as_str(), refused.fields.clone()),
                (400, "INVALID_EMAIL_ADDRESS", vec!["Email".to_owned()])
            );
        }
    }

    #[test]
    fn non_ascii_needs_email_address_internationalization() {
        for eai in ["jörg@example.com", "ada@bücher.example", "用户@例子.广告"] {
            assert!(checked(eai, false).is_err(), "{eai}");
            assert_eq!(checked(eai, true), Ok(eai.to_lowercase()), "{eai}");
        }
        assert!(checked("a\u{2009}b@example.com", true).is_err(), "a thin space is no letter");
    }
}
