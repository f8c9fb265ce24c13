//! The domain newtypes take any string a client or an integration may
//! send: they never panic, and what they accept they accept again as is.

use proptest::prelude::*;
use shared_models::domain::{CustomerName, Email};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn a_name_is_refused_or_stable(raw in any::<String>()) {
        if let Ok(name) = CustomerName::parse(&raw) {
            prop_assert_eq!(CustomerName::parse(name.as_str()).map(|n| n.as_str().to_owned()), Ok(name.as_str().to_owned()));
            prop_assert!(!name.as_str().chars().any(char::is_control));
        }
    }

    #[test]
    fn an_email_is_refused_or_stable(local in "[a-zA-Z0-9.+_\\-\u{0}\t ]{0,20}", domain in "[a-zA-Z0-9.\\-\u{430}\u{e9}\u{202e}]{0,30}", raw in any::<String>()) {
        for candidate in [format!("{local}@{domain}"), raw] {
            if let Ok(email) = Email::parse(&candidate) {
                prop_assert_eq!(Email::parse(email.as_str()).map(|e| e.as_str().to_owned()), Ok(email.as_str().to_owned()));
                // The domain is stored in its ASCII (IDNA) form.
                prop_assert!(email.as_str().rsplit('@').next().unwrap_or_default().is_ascii());
            }
        }
    }
}
