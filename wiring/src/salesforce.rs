//! Salesforce's pair, built from its settings (SALESFORCE_*): Contacts for
//! the customer catalog, written by upsert and read by polling.

use std::sync::Arc;
use std::time::Duration;

use customer_catalog::Customers;
use salesforce_integration::client::{Credentials, SalesforceHttp};
use salesforce_integration::contacts::{DuplicateRule, Fields, SalesforceContacts};
use salesforce_integration::inward::{SalesforceContactSource, SalesforceFeed};
use secrecy::SecretString;
use shared_models::config::Settings;
use shared_models::db;
use shared_models::pairs::Registry;
use shared_models::sync::CUSTOMER;
use shared_models::Error;
use sync_core::inward::{DeletionGuard, FeedEntry, InwardPair};
use sync_core::{Worker, WorkerConfig};

fn client(settings: &Settings) -> Result<SalesforceHttp, Error> {
    let s = &settings.salesforce;
    let client_id =
        s.client_id.clone().filter(|id| !id.trim().is_empty()).ok_or_else(|| Error::Config("SALESFORCE_CLIENT_ID is required".into()))?;
    let secret = Settings::require(&s.client_secret, "SALESFORCE_CLIENT_SECRET")?;
    let credentials = Credentials { login_url: s.login_url.clone(), client_id, client_secret: SecretString::from(secret.to_owned()) };
    let http =
        SalesforceHttp::new(credentials, &s.api_version, Duration::from_millis(s.timeout_ms)).map_err(|e| Error::Config(e.to_string()))?;
    // A refused sign-in waits for a person's fix, but an app re-enabled
    // should not wait long to be noticed.
    let sign_in_wait = Duration::from_secs(settings.sync.blocked_retry_seconds.min(60));
    Ok(http
        .with_quota_reserve(s.quota_reserve_percent)
        .with_quota_wait(Duration::from_secs(s.quota_wait_seconds))
        .with_sign_in_wait(sign_in_wait))
}

fn fields(settings: &Settings) -> Fields {
    Fields { external_id: settings.salesforce.external_id_field.clone(), version: settings.salesforce.version_field.clone() }
}

/// The customer catalog synced to Salesforce Contacts, as configured.
pub fn customers_to_salesforce(settings: &Settings) -> Result<Worker<Customers, SalesforceContacts>, Error> {
    let duplicates = match settings.salesforce.duplicate_rule.as_str() {
        "allow_save" => DuplicateRule::AllowSave,
        _ => DuplicateRule::Respect,
    };
    let connector = SalesforceContacts::new(client(settings)?, fields(settings), duplicates);
    let pool = db::build_pool(&settings.database.url, settings.database.pool_size.max(2 * u32::from(settings.sync.prefetch) + 2))?;
    let mut config = WorkerConfig::from_settings(settings);
    config.integrations = Registry::from_settings(settings)?.integrations_of(CUSTOMER);
    Ok(Worker::new(pool, Arc::new(connector), config))
}

/// Salesforce's inward side: polled, never webhooks.
pub(crate) struct Inward {
    http: Arc<SalesforceHttp>,
    fields: Fields,
    guard: DeletionGuard,
}

impl Inward {
    pub(crate) fn new(settings: &Settings) -> Result<Self, Error> {
        let guard = DeletionGuard::from_settings(&settings.sync);
        Ok(Self { http: Arc::new(client(settings)?), fields: fields(settings), guard })
    }

    pub(crate) fn feed(&self, settings: &Settings) -> FeedEntry {
        let overlap = settings.salesforce.poll_overlap_seconds;
        let feed = Arc::new(SalesforceFeed::new(self.http.clone(), self.fields.clone()).with_overlap(overlap));
        let poll_interval = Duration::from_millis(settings.salesforce.poll_interval_ms);
        FeedEntry { feed, webhooks: false, confirm: false, poll: true, poll_interval }
    }

    pub(crate) fn customers(&self, integrations: &[String]) -> Arc<dyn InwardPair> {
        let source = Arc::new(SalesforceContactSource::new(self.http.clone(), self.fields.clone()));
        Arc::new(sync_core::inward::Inward::<Customers, _>::new(source, integrations.to_vec(), self.guard))
    }
}
