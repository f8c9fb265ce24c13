//! The Salesforce section of the settings, read only when
//! SYNC_INTEGRATIONS names salesforce.

use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// Salesforce (SALESFORCE_*): a connected app's client credentials, and
/// the two custom fields on Contact the sync needs.
#[derive(Debug, Clone)]
pub struct Salesforce {
    pub login_url: String,
    pub client_id: Option<String>,
    /// Redacted in `Debug`.
    pub client_secret: Option<SecretString>,
    pub api_version: String,
    pub poll_interval_ms: u64,
    /// SALESFORCE_POLL_OVERLAP_SECONDS: how far each poll reads again
    /// behind the newest change seen (late commits).
    pub poll_overlap_seconds: i64,
    pub timeout_ms: u64,
    /// External ID and Unique, holding our customer id.
    pub external_id_field: String,
    /// Holds the version of ours last written.
    pub version_field: String,
    /// SALESFORCE_QUOTA_RESERVE_PERCENT: the share of the daily API quota
    /// left to the org's other apps; below it the sync waits.
    pub quota_reserve_percent: u64,
    /// SALESFORCE_QUOTA_WAIT_SECONDS: how long a spent or reserved quota is
    /// waited for before one call reads how much has freed up.
    pub quota_wait_seconds: u64,
    /// `respect` the org's duplicate rule (a match is a conflict), or `allow_save`.
    pub duplicate_rule: String,
}

/// The oldest API version whose behaviour the sync relies on: upserts
/// answer `created` from 46.0 (dome_upsert), and `Sforce-Duplicate-Rule-Header`
/// is honoured from 52.0 (headers_duplicaterules).
pub const MIN_API_VERSION: u16 = 52;

const MY_DOMAIN: &str = "set your org's My Domain URL (Setup, My Domain: https://<name>.my.salesforce.com, or \
                         https://<name>--<sandbox>.sandbox.my.salesforce.com)";

/// `login.salesforce.com` or `test.salesforce.com`, if the URL names one:
/// the client credentials flow is served on the org's My Domain only (help
/// article 000886201).
fn generic_login_host(url: &str) -> Option<&'static str> {
    let host = url.split("://").nth(1)?.split(['/', ':', '?']).next()?.to_ascii_lowercase();
    ["login.salesforce.com", "test.salesforce.com"].into_iter().find(|generic| host == *generic)
}

impl Salesforce {
    /// Checked when SYNC_INTEGRATIONS names salesforce: what is missing or
    /// malformed stops the service, naming the variable.
    pub(super) fn validate(&self) -> Result<(), Error> {
        let bad = |var: &str, why: &str| Err(Error::Config(format!("{var} {why}")));
        if self.login_url.trim().is_empty() {
            return bad("SALESFORCE_LOGIN_URL", &format!("is required when SYNC_INTEGRATIONS names salesforce: {MY_DOMAIN}"));
        }
        if !self.login_url.starts_with("https://") && !self.login_url.starts_with("http://") {
            return bad("SALESFORCE_LOGIN_URL", &format!("must be an https:// URL: {MY_DOMAIN}"));
        }
        if let Some(host) = generic_login_host(&self.login_url) {
            return bad(
                "SALESFORCE_LOGIN_URL",
                &format!("cannot be {host}, which does not serve the client credentials flow: {MY_DOMAIN}"),
            );
        }
        if self.client_id.as_deref().is_none_or(|id| id.trim().is_empty()) {
            return bad("SALESFORCE_CLIENT_ID", "is required when SYNC_INTEGRATIONS names salesforce (the connected app's consumer key)");
        }
        if self.client_secret.as_ref().is_none_or(|s| s.expose_secret().trim().is_empty()) {
            return bad(
                "SALESFORCE_CLIENT_SECRET",
                "is required when SYNC_INTEGRATIONS names salesforce (the connected app's consumer secret)",
            );
        }
        let major = self.api_version.split_once('.').filter(|(_, minor)| *minor == "0").and_then(|(major, _)| major.parse::<u16>().ok());
        match major {
            None => return bad("SALESFORCE_API_VERSION", "must look like 62.0"),
            Some(major) if major < MIN_API_VERSION => {
                return bad(
                    "SALESFORCE_API_VERSION",
                    &format!(
                        "must be {MIN_API_VERSION}.0 or later: the sync needs an upsert that says whether it created (46.0) and \
                         the duplicate-rule header (52.0)"
                    ),
                )
            }
            Some(_) => {}
        }
        if self.poll_interval_ms < 1_000 {
            return bad("SALESFORCE_POLL_INTERVAL_MS", "must be at least 1000: each poll is an API call against the org's daily quota");
        }
        if !(60..=86_400).contains(&self.poll_overlap_seconds) {
            return bad("SALESFORCE_POLL_OVERLAP_SECONDS", "must be between 60 and 86400");
        }
        let custom = |f: &str| f.ends_with("__c") && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !custom(&self.external_id_field) {
            return bad("SALESFORCE_EXTERNAL_ID_FIELD", "must be a custom field's API name, like Catalog_Sync_Id__c");
        }
        if !custom(&self.version_field) {
            return bad("SALESFORCE_VERSION_FIELD", "must be a custom field's API name, like Catalog_Sync_Version__c");
        }
        if self.quota_reserve_percent > 90 {
            return bad("SALESFORCE_QUOTA_RESERVE_PERCENT", "must be between 0 and 90");
        }
        if !(1..=86_400).contains(&self.quota_wait_seconds) {
            return bad("SALESFORCE_QUOTA_WAIT_SECONDS", "must be between 1 and 86400");
        }
        if !matches!(self.duplicate_rule.as_str(), "respect" | "allow_save") {
            return bad("SALESFORCE_DUPLICATE_RULE", "must be respect or allow_save");
        }
        Ok(())
    }
}
