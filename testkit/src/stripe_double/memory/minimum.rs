//! Stripe's minimum charge per currency. "If the amount due for the
//! invoice is less than Stripe's minimum allowed charge per currency, the
//! invoice is automatically marked paid, and we add the amount due to the
//! customer's credit balance which is applied to the next invoice" (the
//! Invoice object, docs.stripe.com/api/invoices/object). The amounts are
//! docs.stripe.com/currencies#minimum-and-maximum-charge-amounts, in minor
//! units; a currency that page does not list takes "the equivalent of
//! 0.50 USD", which the double, holding no exchange rates, plays as 50
//! minor units (0.50 of a two-decimal currency, 50 of a zero-decimal one).
//! When it happens the documents do not say exactly; the double marks it
//! paid at finalization, as it does an invoice of nothing.

/// (currency, minimum amount due in its minor units).
const MINIMUMS: &[(&str, i64)] = &[
    ("usd", 50),
    ("aed", 200),
    ("aud", 50),
    ("bgn", 100),
    ("brl", 50),
    ("cad", 50),
    ("chf", 50),
    ("czk", 1_500),
    ("dkk", 250),
    ("eur", 50),
    ("gbp", 30),
    ("hkd", 400),
    ("huf", 17_500),
    ("inr", 50),
    ("jpy", 50),
    ("mxn", 1_000),
    ("myr", 200),
    ("nok", 300),
    ("nzd", 50),
    ("pln", 200),
    ("ron", 200),
    ("sek", 300),
    ("sgd", 50),
    ("thb", 1_000),
];

/// The least amount Stripe charges in `currency`.
pub(super) fn minimum_charge(currency: &str) -> i64 {
    MINIMUMS.iter().find(|(code, _)| *code == currency).map_or(50, |(_, minimum)| *minimum)
}

#[cfg(test)]
mod tests {
    use super::minimum_charge;

    #[test]
    fn each_currency_has_its_minimum() {
        assert_eq!((minimum_charge("usd"), minimum_charge("gbp"), minimum_charge("jpy")), (50, 30, 50));
        assert_eq!(minimum_charge("huf"), 17_500);
        assert_eq!(minimum_charge("xof"), 50, "unlisted: the equivalent of 0.50 USD, played as 50");
    }
}
