//! Stripe's signature header and event bodies come from the network: their
//! parsers never panic, whatever they are given.

use proptest::prelude::*;
use serde_json::json;
use stripe_integration::event::StripeEvent;
use stripe_integration::signature::{sign, Verifier};

const NOW: i64 = 1_800_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    #[test]
    fn any_signature_header_is_checked_without_panic(header in any::<String>(), body in any::<Vec<u8>>(), now in any::<i64>()) {
        let verifier = Verifier::new(&["whsec_x".to_owned()], 300);
        let _ = verifier.verify(Some(&header), &body, now);
        let _ = verifier.verify(Some(&format!("t={now},v1={header}")), &body, NOW);
    }

    #[test]
    fn any_signed_timestamp_is_refused_or_accepted_without_panic(t in any::<i64>()) {
        let verifier = Verifier::new(&["whsec_x".to_owned()], 300);
        let verdict = verifier.verify(Some(&sign("whsec_x", t, b"{}")), b"{}", NOW);
        prop_assert_eq!(verdict.is_ok(), (NOW - 300..=NOW + 300).contains(&t));
    }

    #[test]
    fn any_body_is_parsed_or_refused_without_panic(body in any::<Vec<u8>>()) {
        let _ = StripeEvent::parse(&body);
    }

    #[test]
    fn any_event_shape_is_parsed_or_refused_without_panic(
        id in any::<String>(), kind in "customer\\.(created|updated|deleted)|[a-z.]{0,20}", created in any::<i64>(),
        object_id in any::<String>(), name in any::<Option<String>>(), metadata in any::<Vec<(String, String)>>(),
    ) {
        let metadata: serde_json::Map<String, serde_json::Value> = metadata.into_iter().map(|(k, v)| (k, json!(v))).collect();
        let event = json!({"id": id, "type": kind, "created": created,
            "data": {"object": {"id": object_id, "name": name, "metadata": metadata}}});
        let _ = StripeEvent::parse(event.to_string().as_bytes());
    }
}
