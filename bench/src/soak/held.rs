//! The soak as the operator of the mass-deletion guard. A soak of minutes
//! deletes more in Stripe and Salesforce than `DELETION_GUARD_MAX` (50) in
//! `DELETION_GUARD_WINDOW_SECONDS` (10 minutes), so the guard, kept at its
//! defaults, holds deletes: the customers stay live here until someone
//! decides. Every one the soak holds is a delete a person made on purpose,
//! so the soak releases them while it settles, as an operator who checked
//! would: each release reads the record back there and takes the delete in.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

/// The integrations whose deletes the guard may hold.
pub const INTEGRATIONS: [&str; 2] = ["stripe", "salesforce"];

/// What the guard did in the run, per integration.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Guarded {
    /// Deletes held at some point (the guard noted why).
    pub held: BTreeMap<String, i64>,
    /// Held deletes the soak released.
    pub released: BTreeMap<String, usize>,
    /// Still held or released but not taken in when the sides were read.
    pub open: BTreeMap<String, i64>,
}

/// Releases every held delete of each integration through the API
/// (`POST /sync/held-deletions/release`, scope operate); adds what was
/// released to `released`. An API that does not answer is asked again at
/// the next turn of the settle loop.
pub async fn release_all(http: &reqwest::Client, api_url: &str, released: &mut BTreeMap<String, usize>) {
    for integration in INTEGRATIONS {
        let answer = http
            .post(format!("{api_url}/sync/held-deletions/release"))
            .json(&json!({"integration": integration}))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        let decided = match answer {
            Ok(response) => response.json::<Value>().await.ok().and_then(|v| v["decided"].as_u64()),
            Err(e) => {
                eprintln!("  note: releasing the held deletes of {integration}: {e}");
                None
            }
        };
        if let Some(n) = decided.filter(|n| *n > 0) {
            eprintln!("  released {n} held delete(s) of {integration}");
            *released.entry(integration.to_owned()).or_default() += n as usize;
        }
    }
}
