//! The HTTP section of the settings: where the services listen, and what
//! guards them (API keys, the request deadline).

use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// Where the services listen.
#[derive(Debug, Clone)]
pub struct Http {
    pub bind_address: String,
    pub api_port: u16,
    pub webhook_port: u16,
    /// Where sync-worker serves /metrics and /health (it has no other HTTP).
    pub worker_metrics_port: u16,
    /// REQUEST_TIMEOUT_SECONDS: a request, its body included, must be read
    /// and answered within this (408 otherwise).
    pub request_timeout_seconds: u64,
    /// API_AUTH: `on` (API keys required), or `off`, refused unless
    /// `bind_address` is a loopback address.
    pub api_auth: String,
    /// API_BOOTSTRAP_KEY: a key with every scope, for a first run and
    /// scripts; keys made with `api-service keys create` are the lasting way.
    pub api_bootstrap_key: Option<SecretString>,
}

impl Http {
    /// Only this host can connect: 127.0.0.0/8, ::1 or `localhost`.
    pub fn is_loopback(&self) -> bool {
        let address = self.bind_address.trim();
        address.eq_ignore_ascii_case("localhost") || address.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// Whether API keys are required (API_AUTH).
    pub fn auth_enabled(&self) -> bool {
        !self.api_auth.trim().eq_ignore_ascii_case("off")
    }

    /// [`Http::request_timeout_seconds`] as a duration.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_timeout_seconds)
    }

    pub(super) fn validate(&self) -> Result<(), Error> {
        if !(1..=3_600).contains(&self.request_timeout_seconds) {
            return Err(Error::Config("REQUEST_TIMEOUT_SECONDS must be between 1 and 3600".into()));
        }
        let auth = self.api_auth.trim().to_ascii_lowercase();
        if auth != "on" && auth != "off" {
            return Err(Error::Config(format!("API_AUTH must be on or off, not '{auth}'")));
        }
        if auth == "off" && !self.is_loopback() {
            let why = "API_AUTH=off is refused unless BIND_ADDRESS is a loopback address (127.0.0.1, ::1, localhost):                        anyone who can reach the host would own the catalog";
            return Err(Error::Config(why.into()));
        }
        if let Some(key) = self.api_bootstrap_key.as_ref().map(|k| k.expose_secret().trim()).filter(|k| !k.is_empty()) {
            if key.len() < 32 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Error::Config("API_BOOTSTRAP_KEY must be at least 32 characters, with no spaces".into()));
            }
            if SAMPLE_KEYS.contains(&key) && !self.is_loopback() {
                let why = "API_BOOTSTRAP_KEY is a published sample key; it is refused when BIND_ADDRESS is not a loopback address";
                return Err(Error::Config(why.into()));
            }
        }
        Ok(())
    }
}

/// Keys printed in our documentation: fine on a laptop, never on a network.
pub const SAMPLE_KEYS: &[&str] = &["csk_local_development_key_do_not_use_in_production"];
