//! Binds each (catalog × integration) pair of the registry
//! (`shared_models::pairs`) to its implementation. The services call it
//! and iterate what it builds; they name no catalog and no integration.
//! Adding a pair is a match arm here (and one line in the registry).

mod salesforce;
mod stripe;

use std::sync::Arc;

use shared_models::config::Settings;
use shared_models::db::PgPool;
use shared_models::pairs::{Pair, Registry};
use shared_models::Error;
use sync_core::inward::{FeedEntry, InwardPair, InwardSide};
use sync_core::AnyWorker;

pub use salesforce::customers_to_salesforce;
pub use stripe::{customers_to_stripe, invoices_to_stripe};

/// A pair's worker, ready to run.
pub type PairWorker = (Pair, Box<dyn AnyWorker>);

/// The workers of the pairs this process runs (WORKER_PAIRS, or all).
pub fn workers(settings: &Settings) -> Result<Vec<PairWorker>, Error> {
    let registry = Registry::from_settings(settings)?;
    let mut workers: Vec<PairWorker> = Vec::new();
    for pair in registry.worker_pairs(settings)? {
        workers.push((pair, worker(settings, pair)?));
    }
    Ok(workers)
}

fn worker(settings: &Settings, pair: Pair) -> Result<Box<dyn AnyWorker>, Error> {
    match (pair.entity_type, pair.integration) {
        (shared_models::sync::CUSTOMER, "stripe") => Ok(Box::new(customers_to_stripe(settings)?)),
        (shared_models::sync::CUSTOMER, "salesforce") => Ok(Box::new(customers_to_salesforce(settings)?)),
        (shared_models::sync::INVOICE, "stripe") => Ok(Box::new(invoices_to_stripe(settings)?)),
        _ => Err(unbound(pair)),
    }
}

/// The inward side of every pair in force: one feed per integration, one
/// inward pair per (catalog × integration).
pub fn inward(settings: &Settings, pool: &PgPool) -> Result<InwardSide, Error> {
    let registry = Registry::from_settings(settings)?;
    let mut feeds: Vec<FeedEntry> = Vec::new();
    let mut pairs: Vec<Arc<dyn InwardPair>> = Vec::new();
    for integration in registry.integrations() {
        match integration.as_str() {
            "stripe" => {
                let stripe = stripe::Inward::new(settings, pool)?;
                feeds.push(stripe.feed(settings)?);
                for pair in registry.pairs().iter().filter(|p| p.integration == "stripe") {
                    pairs.push(match pair.entity_type {
                        shared_models::sync::CUSTOMER => stripe.customers(&registry.integrations_of(pair.entity_type)),
                        shared_models::sync::INVOICE => stripe.invoices(&registry.integrations_of(pair.entity_type)),
                        _ => return Err(unbound(*pair)),
                    });
                }
            }
            "salesforce" => {
                let salesforce = salesforce::Inward::new(settings)?;
                feeds.push(salesforce.feed(settings));
                for pair in registry.pairs().iter().filter(|p| p.integration == "salesforce") {
                    pairs.push(match pair.entity_type {
                        shared_models::sync::CUSTOMER => salesforce.customers(&registry.integrations_of(pair.entity_type)),
                        _ => return Err(unbound(*pair)),
                    });
                }
            }
            other => return Err(Error::Config(format!("SYNC_INTEGRATIONS names '{other}', which this build cannot sync"))),
        }
    }
    Ok(InwardSide { feeds, pairs: pairs.into() })
}

/// A reconciler of every pair in force, as configured (the `reconcile`
/// command, and tests).
pub fn reconciler(settings: &Settings) -> Result<sync_core::reconcile::Reconciler, Error> {
    let pool = shared_models::db::build_pool(&settings.database.url, settings.database.pool_size)?;
    let inward = inward(settings, &pool)?;
    Ok(sync_core::reconcile::Reconciler::new(pool, inward.pairs))
}

fn unbound(pair: Pair) -> Error {
    Error::Config(format!("the pair {} is registered but not wired in this build", pair.name()))
}

#[cfg(test)]
mod tests {
    use shared_models::pairs::KNOWN;

    #[test]
    fn every_known_pair_is_wired() {
        let settings: super::Settings = serde_json::from_value(serde_json::json!({
            "database_url": "postgres://127.0.0.1/none", "amqp_url": "amqp://mq", "stripe_secret_key": "sk_test_x",
            "stripe_webhook_secret": "whsec_of_this_test_only", "sync_integrations": "stripe,salesforce",
            "salesforce_client_id": "id", "salesforce_client_secret": "secret",
        }))
        .expect("settings");
        let pool = shared_models::db::build_pool(&settings.database.url, 1).expect("a pool builds without connecting");
        for pair in KNOWN {
            assert!(super::worker(&settings, *pair).is_ok(), "{} has no worker", pair.name());
        }
        let inward = super::inward(&settings, &pool).expect("inward side");
        assert_eq!(inward.pairs.len(), KNOWN.len());
    }

    #[test]
    fn a_placeholder_webhook_secret_is_refused_with_the_real_stripe_only() {
        let settings = |base: &str, mode: &str| -> super::Settings {
            serde_json::from_value(serde_json::json!({
                "database_url": "postgres://127.0.0.1/none", "amqp_url": "amqp://mq", "stripe_secret_key": "sk_test_x",
                "stripe_webhook_secret": "whsec_localstripe_compose", "stripe_api_base": base, "inward_mode": mode,
            }))
            .expect("settings")
        };
        let real = settings("https://api.stripe.com/", "both");
        let pool = shared_models::db::build_pool(&real.database.url, 1).expect("a pool builds without connecting");
        let refused = super::inward(&real, &pool).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("STRIPE_WEBHOOK_SECRET is a published placeholder"), "{refused}");
        assert!(super::inward(&settings("http://localstripe:8420", "both"), &pool).is_ok());
        assert!(super::inward(&settings("https://api.stripe.com/", "poll"), &pool).is_ok());
    }
}
