//! Stripe's pairs, built from its settings (STRIPE_*).

use std::sync::Arc;
use std::time::Duration;

use customer_catalog::Customers;
use invoice_catalog::Invoices;
use shared_models::config::Settings;
use shared_models::db::{self, PgPool};
use shared_models::pairs::Registry;
use shared_models::sync::{CUSTOMER, INVOICE};
use shared_models::Error;
use stripe_integration::reads::StripeApi;
use stripe_integration::signature::Verifier;
use stripe_integration::{StripeCustomerSource, StripeCustomers, StripeFeed, StripeInvoiceSource, StripeInvoices};
use sync_core::inward::{DeletionGuard, FeedEntry, InwardPair};
use sync_core::{SharedRateLimit, Worker, WorkerConfig};

/// The customer catalog synced to Stripe, as configured.
pub fn customers_to_stripe(settings: &Settings) -> Result<Worker<Customers, StripeCustomers>, Error> {
    let secret = Settings::require(&settings.stripe.secret_key, "STRIPE_SECRET_KEY")?;
    // Each message in hand holds two connections (its turn on the entity,
    // and one short transaction at a time), and the rate limit one briefly.
    let pool = db::build_pool(&settings.database.url, settings.database.pool_size.max(2 * u32::from(settings.sync.prefetch) + 2))?;
    let limiter = SharedRateLimit::new(pool.clone(), "stripe", settings.stripe.rate_limit_per_second);
    let connector = StripeCustomers::new(&settings.stripe.api_base, secret, Duration::from_millis(settings.stripe.timeout_ms), limiter)
        .map_err(|e| Error::Config(e.to_string()))?;
    let mut config = WorkerConfig::from_settings(settings);
    // A delete found in Stripe is sent on to the others that sync customers.
    config.integrations = Registry::from_settings(settings)?.integrations_of(CUSTOMER);
    Ok(Worker::new(pool, Arc::new(connector), config))
}

/// The invoice catalog synced to Stripe, as configured: under the same
/// rate limit as the customers (Stripe limits the account).
pub fn invoices_to_stripe(settings: &Settings) -> Result<Worker<Invoices, StripeInvoices>, Error> {
    let secret = Settings::require(&settings.stripe.secret_key, "STRIPE_SECRET_KEY")?;
    let pool = db::build_pool(&settings.database.url, settings.database.pool_size.max(2 * u32::from(settings.sync.prefetch) + 2))?;
    let limiter = SharedRateLimit::new(pool.clone(), "stripe", settings.stripe.rate_limit_per_second);
    let connector = StripeInvoices::new(&settings.stripe.api_base, secret, Duration::from_millis(settings.stripe.timeout_ms), limiter)
        .map_err(|e| Error::Config(e.to_string()))?;
    let mut config = WorkerConfig::from_settings(settings);
    config.integrations = Registry::from_settings(settings)?.integrations_of(INVOICE);
    Ok(Worker::new(pool, Arc::new(connector), config))
}

/// Webhook secrets printed in our scripts, compose file and docs: fine for
/// the emulator, refused with the real Stripe.
pub const SAMPLE_WEBHOOK_SECRETS: &[&str] = &["whsec_local", "whsec_localstripe_compose", "whsec_test"];

/// Stripe's inward side: one client, under the rate limit the workers share.
pub(crate) struct Inward {
    api: Arc<StripeApi>,
    invoices: Arc<StripeInvoices>,
    guard: DeletionGuard,
}

impl Inward {
    pub(crate) fn new(settings: &Settings, pool: &PgPool) -> Result<Self, Error> {
        let key = Settings::require(&settings.stripe.secret_key, "STRIPE_SECRET_KEY")?;
        let api = StripeApi::new(&settings.stripe.api_base, key, Duration::from_millis(settings.stripe.timeout_ms))
            .map_err(|e| Error::Config(format!("cannot build the Stripe client: {e}")))?;
        let limiter = SharedRateLimit::new(pool.clone(), "stripe", settings.stripe.rate_limit_per_second);
        let timeout = Duration::from_millis(settings.stripe.timeout_ms);
        let invoices = StripeInvoices::new(&settings.stripe.api_base, key, timeout, limiter.clone())
            .map_err(|e| Error::Config(format!("cannot build the Stripe client: {e}")))?;
        let guard = DeletionGuard::from_settings(&settings.sync);
        Ok(Self { api: Arc::new(api.with_rate_limit(limiter)), invoices: Arc::new(invoices), guard })
    }

    /// Webhooks need a signing secret; polling needs none.
    pub(crate) fn feed(&self, settings: &Settings) -> Result<FeedEntry, Error> {
        let mode = settings.inward()?;
        let secrets = settings.webhook_secrets();
        let webhooks = match (mode.webhook, mode.poll, secrets.is_empty()) {
            (true, false, true) => return Err(Error::Config("STRIPE_WEBHOOK_SECRET is required when INWARD_MODE is webhook".into())),
            (true, true, true) => {
                // A first run without a webhook endpoint in Stripe yet: the
                // poller alone keeps the catalog in sync meanwhile.
                log::warn!("STRIPE_WEBHOOK_SECRET is not set: webhooks are refused and Stripe's changes arrive by polling only");
                false
            }
            (webhook, _, _) => webhook,
        };
        // The placeholders of our run script, compose file and tests are
        // public: with the real Stripe they would let anyone forge events.
        let real_stripe = settings.stripe.api_base.contains("api.stripe.com");
        if webhooks && real_stripe && secrets.iter().any(|s| SAMPLE_WEBHOOK_SECRETS.contains(&s.as_str())) {
            let why = "STRIPE_WEBHOOK_SECRET is a published placeholder (the emulator's), and STRIPE_API_BASE is the real Stripe: \
                       set the endpoint's own secret (whsec_..., scripts/register-stripe-webhook.sh prints it), or INWARD_MODE=poll";
            return Err(Error::Config(why.into()));
        }
        if settings.stripe.webhook_tolerance_seconds == 0 {
            return Err(Error::Config("STRIPE_WEBHOOK_TOLERANCE_SECONDS must be at least 1".into()));
        }
        let verifier = Verifier::new(&secrets, settings.stripe.webhook_tolerance_seconds);
        let feed = Arc::new(StripeFeed::new(self.api.clone(), verifier));
        let poll_interval = Duration::from_millis(settings.stripe.poll_interval_ms);
        Ok(FeedEntry { feed, webhooks, confirm: settings.stripe.confirm_events, poll: mode.poll, poll_interval })
    }

    pub(crate) fn customers(&self, integrations: &[String]) -> Arc<dyn InwardPair> {
        let source = Arc::new(StripeCustomerSource::new(self.api.clone()));
        Arc::new(sync_core::inward::Inward::<Customers, _>::new(source, integrations.to_vec(), self.guard))
    }

    pub(crate) fn invoices(&self, integrations: &[String]) -> Arc<dyn InwardPair> {
        let source = Arc::new(StripeInvoiceSource::new(self.invoices.clone()));
        Arc::new(sync_core::inward::Inward::<Invoices, _>::new(source, integrations.to_vec(), self.guard))
    }
}
