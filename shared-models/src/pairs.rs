//! The registry of (catalog × integration) pairs: the one list of what this
//! build can sync, and the pairs in force as the settings choose them.
//! Everything that works per pair iterates it: the relay's queues, the
//! workers, the webhook routes and pollers, reconcile, `/sync/status`, dead
//! letters and the API's `sync` block. The `wiring` crate binds each known
//! pair to its implementation (a test there checks that none is missing).

use crate::config::Settings;
use crate::sync::{CUSTOMER, INVOICE};
use crate::Error;

/// One catalog synced with one integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pair {
    /// The catalog's entity type (`customer`).
    pub entity_type: &'static str,
    /// The integration's name (`stripe`).
    pub integration: &'static str,
}

impl Pair {
    /// `customer:stripe`, as WORKER_PAIRS names it.
    pub fn name(&self) -> String {
        format!("{}:{}", self.entity_type, self.integration)
    }
}

/// Every pair this build can sync.
pub const KNOWN: &[Pair] = &[
    Pair { entity_type: CUSTOMER, integration: "stripe" },
    Pair { entity_type: CUSTOMER, integration: "salesforce" },
    Pair { entity_type: INVOICE, integration: "stripe" },
];

/// The integrations this build can sync (SYNC_INTEGRATIONS names some of them).
pub fn known_integrations() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for pair in KNOWN {
        if !names.contains(&pair.integration) {
            names.push(pair.integration);
        }
    }
    names
}

/// The pairs in force: every known pair of an integration in SYNC_INTEGRATIONS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    integrations: Vec<String>,
    pairs: Vec<Pair>,
}

impl Registry {
    /// Refuses an integration this build cannot sync, naming the setting.
    pub fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let integrations = settings.integrations();
        if integrations.is_empty() {
            return Err(Error::Config("SYNC_INTEGRATIONS must name at least one integration".into()));
        }
        // A name this build cannot sync would mark links pending and fill a
        // queue that no worker ever drains.
        let known = known_integrations();
        if let Some(unknown) = integrations.iter().find(|i| !known.contains(&i.as_str())) {
            let known = known.join(", ");
            return Err(Error::Config(format!("SYNC_INTEGRATIONS names '{unknown}', which this build cannot sync (it knows: {known})")));
        }
        let pairs = KNOWN.iter().copied().filter(|p| integrations.iter().any(|i| i == p.integration)).collect();
        Ok(Self { integrations, pairs })
    }

    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }

    /// The integrations in force, in the order SYNC_INTEGRATIONS names them.
    pub fn integrations(&self) -> &[String] {
        &self.integrations
    }

    /// The integrations in force that sync the catalog `entity_type`: whom
    /// a change of one of its entities is sent to.
    pub fn integrations_of(&self, entity_type: &str) -> Vec<String> {
        let syncs = |i: &String| self.pairs.iter().any(|p| p.entity_type == entity_type && p.integration == i);
        self.integrations.iter().filter(|i| syncs(i)).cloned().collect()
    }

    /// Whether `integration` is in force (it takes webhooks, has a queue).
    pub fn has_integration(&self, integration: &str) -> bool {
        self.integrations.iter().any(|i| i == integration)
    }

    /// The pairs whose consumers this worker runs: WORKER_PAIRS, or all.
    pub fn worker_pairs(&self, settings: &Settings) -> Result<Vec<Pair>, Error> {
        let chosen = settings.worker_pairs();
        if chosen.is_empty() {
            return Ok(self.pairs.clone());
        }
        let mut pairs = Vec::new();
        for name in chosen {
            let Some(pair) = self.pairs.iter().find(|p| p.name() == name) else {
                let in_force: Vec<String> = self.pairs.iter().map(Pair::name).collect();
                let why = format!("WORKER_PAIRS names '{name}', which is not a pair in force (pairs: {})", in_force.join(", "));
                return Err(Error::Config(why));
            };
            pairs.push(*pair);
        }
        Ok(pairs)
    }

    /// (integration, entity type) of every pair: the relay's queues.
    pub fn queues(&self) -> Vec<(String, String)> {
        self.pairs.iter().map(|p| (p.integration.to_owned(), p.entity_type.to_owned())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(integrations: &str, worker_pairs: &str) -> Settings {
        serde_json::from_value(serde_json::json!({
            "database_url": "postgres://db", "amqp_url": "amqp://mq",
            "sync_integrations": integrations, "worker_pairs": worker_pairs,
        }))
        .expect("settings")
    }

    #[test]
    fn the_pairs_in_force_are_the_known_pairs_of_the_named_integrations() {
        let registry = Registry::from_settings(&settings("stripe", "")).expect("registry");
        let customers = Pair { entity_type: CUSTOMER, integration: "stripe" };
        assert_eq!(registry.pairs(), &[customers, Pair { entity_type: INVOICE, integration: "stripe" }]);
        assert_eq!(registry.integrations_of(CUSTOMER), ["stripe"]);
        assert_eq!(registry.integrations_of(INVOICE), ["stripe"]);
        assert!(Registry::from_settings(&settings("salesforce", "")).expect("registry").integrations_of(INVOICE).is_empty());
        assert_eq!(known_integrations(), ["stripe", "salesforce"]);
        assert_eq!(registry.worker_pairs(&settings("stripe", "")).expect("all"), registry.pairs());
        assert_eq!(registry.worker_pairs(&settings("stripe", "customer:stripe")).expect("one"), [customers]);
    }

    #[test]
    fn unknown_names_are_refused_naming_the_setting() {
        let error = Registry::from_settings(&settings("stripe,hubspot", "")).expect_err("unknown");
        let both = Registry::from_settings(&settings("stripe,salesforce", "")).expect("both");
        assert_eq!(both.integrations_of(CUSTOMER), ["stripe", "salesforce"]);
        assert!(error.to_string().contains("SYNC_INTEGRATIONS names 'hubspot'"), "{error}");
        let registry = Registry::from_settings(&settings("stripe", "")).expect("registry");
        let error = registry.worker_pairs(&settings("stripe", "customer:salesforce")).expect_err("not in force");
        assert!(error.to_string().contains("WORKER_PAIRS names 'customer:salesforce'"), "{error}");
    }
}
