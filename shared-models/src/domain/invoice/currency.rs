//! The currencies Stripe takes, in one place: the API accepts only these,
//! and the Stripe double (testkit) refuses the others as Stripe does.
//!
//! Source: <https://docs.stripe.com/currencies>, "Supported presentment
//! currencies" (134 codes, lower-case in API requests), its
//! "Zero-decimal currencies" and its "Three-decimal currencies" (BHD, JOD,
//! KWD, OMR, TND, which Stripe takes in thousandths with a last digit of 0).
//! Stripe's own refusal of an unknown code lists the same codes ("Invalid
//! currency: abc. Stripe currently supports these currencies: usd, aed,
//! ..."), plus retired ones (eek, ltl, lvl, mro, sll, svc, vef) and a few
//! it parses but does not document for charges (btn, ghs, hrk, usdc),
//! which are left out here.

use serde::{Deserialize, Serialize};

use crate::domain::DomainError;

/// Amounts in whole units: 500 JPY is `amount=500`.
const ZERO_DECIMAL: &[&str] =
    &["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

/// Amounts in thousandths.
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// Amounts in hundredths. ISK and HUF are here although their payouts are
/// whole units: Stripe's docs keep two decimals for their charges ("to
/// maintain backwards compatibility, you must pass in amounts with two
/// decimals").
const TWO_DECIMAL: &[&str] = &[
    "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn", "bmd", "bnd", "bob", "brl",
    "bsd", "bwp", "byn", "bzd", "cad", "cdf", "chf", "cny", "cop", "crc", "cve", "czk", "dkk", "dop", "dzd", "egp", "etb", "eur", "fjd",
    "fkp", "gbp", "gel", "gip", "gmd", "gtq", "gyd", "hkd", "hnl", "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "kes", "kgs", "khr",
    "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn",
    "nad", "ngn", "nio", "nok", "npr", "nzd", "pab", "pen", "pgk", "php", "pkr", "pln", "qar", "ron", "rsd", "rub", "sar", "sbd", "scr",
    "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl", "thb", "tjs", "top", "try", "ttd", "twd", "tzs", "uah", "uyu", "uzs", "wst",
    "xcd", "yer", "zar", "zmw",
];

/// The digits after the decimal point of `code`'s amounts in Stripe (0, 2
/// or 3), or `None` when Stripe does not take `code` (lower-case).
pub fn minor_units(code: &str) -> Option<u8> {
    if TWO_DECIMAL.contains(&code) {
        Some(2)
    } else if ZERO_DECIMAL.contains(&code) {
        Some(0)
    } else if THREE_DECIMAL.contains(&code) {
        Some(3)
    } else {
        None
    }
}

/// Every code Stripe takes, `usd` first and then in alphabetical order,
/// as Stripe lists them in its refusal.
pub fn supported() -> Vec<&'static str> {
    let mut all: Vec<&str> = TWO_DECIMAL.iter().chain(ZERO_DECIMAL).chain(THREE_DECIMAL).copied().filter(|c| *c != "usd").collect();
    all.sort_unstable();
    all.insert(0, "usd");
    all
}

/// An ISO 4217 code that Stripe takes, stored lower-case as Stripe writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim().to_ascii_lowercase();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(DomainError::invalid("currency", format!("'{raw}' is not a currency: give its three-letter ISO code, like usd")));
        }
        if minor_units(&code).is_none() {
            return Err(DomainError::invalid(
                "currency",
                format!("'{code}' is not a currency Stripe supports (see https://docs.stripe.com/currencies), like usd or eur"),
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits after the decimal point of this currency's amounts (a
    /// line's `unit_amount` is in these minor units): 0 for JPY, 3 for
    /// KWD, 2 for most.
    pub fn minor_units(&self) -> u8 {
        minor_units(&self.0).unwrap_or(2)
    }

    /// Whether Stripe can bill `lines` in this currency: a three-decimal
    /// currency's amounts must end in 0 ("these API calls require the
    /// least-significant (last) digit to be 0", docs.stripe.com/currencies).
    pub fn bills(&self, lines: &super::Lines) -> Result<(), DomainError> {
        if self.minor_units() != 3 {
            return Ok(());
        }
        match lines.as_slice().iter().position(|l| l.unit_amount % 10 != 0) {
            None => Ok(()),
            Some(i) => Err(DomainError::invalid(
                format!("lines[{i}].unit_amount"),
                format!("{} amounts are in thousandths and Stripe takes them with a last digit of 0: give a multiple of 10", self.0),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stripes_currencies_lower_cased() {
        assert_eq!(Currency::parse(" EUR ").map(|c| c.0), Ok("eur".into()));
        for bad in ["", "eu", "euro", "e1r", "€ur", "abc", "xxx", "eek"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
        let unknown = Currency::parse("abc").unwrap_err();
        assert_eq!(unknown.field(), "currency");
        assert!(unknown.to_string().contains("Stripe"), "{unknown}");
    }

    #[test]
    fn three_decimal_amounts_end_in_zero() {
        let lines = |unit_amount: i64| {
            let draft =
                super::super::LineDraft { id: None, description: Some("x".into()), quantity: Some(2), unit_amount: Some(unit_amount) };
            super::super::Lines::parse(vec![draft], &super::super::Lines::default()).unwrap()
        };
        let kwd = Currency::parse("kwd").unwrap();
        assert!(kwd.bills(&lines(1_250)).is_ok());
        assert_eq!(kwd.bills(&lines(1_255)).unwrap_err().field(), "lines[0].unit_amount");
        assert!(Currency::parse("usd").unwrap().bills(&lines(1_255)).is_ok());
    }

    #[test]
    fn minor_units_follow_stripes_lists() {
        let units = |code: &str| Currency::parse(code).map(|c| c.minor_units());
        assert_eq!([units("usd"), units("jpy"), units("krw"), units("kwd"), units("tnd"), units("isk")], [2, 0, 0, 3, 3, 2].map(Ok));
        // Each code once, none in two groups: the 134 presentment
        // currencies and the five three-decimal ones.
        let all = supported();
        let unique: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!((all.len(), unique.len(), all[0], all[1]), (139, 139, "usd", "aed"));
    }
}
