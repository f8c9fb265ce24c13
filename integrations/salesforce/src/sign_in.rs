//! The session: a token by the OAuth 2.0 client credentials flow, fetched
//! when there is none and again once when a call answers 401.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use sync_core::SyncError;

use crate::client::{transport, SalesforceHttp, Token};

/// How long changes wait after Salesforce refused the sign-in before one
/// tries again, unless set otherwise (the app re-enabled, say; a new secret
/// needs a restart).
pub(crate) const SIGN_IN_WAIT: Duration = Duration::from_secs(60);

/// Why no token could be had.
enum SignIn {
    /// Salesforce answered, and said no (a 4xx): the app or its credentials.
    Refused(String),
    /// No answer, or one that says nothing of the credentials (5xx).
    Unavailable(SyncError),
}

impl SalesforceHttp {
    /// Signs in now, as a worker's check at start does: a refused sign-in is
    /// `Permanent` here (a person must fix the app or its credentials),
    /// while Salesforce out of reach is `Transient`.
    pub async fn sign_in(&self) -> Result<(), SyncError> {
        match self.fetch_token().await {
            Ok(_) => Ok(()),
            Err(SignIn::Refused(message)) => Err(SyncError::Permanent { message }),
            Err(SignIn::Unavailable(e)) => Err(e),
        }
    }

    /// The session's token, fetched when there is none (or `renew`). A
    /// refused sign-in later on (a rotated secret, an app disabled) is the
    /// integration being unavailable: changes wait and are tried again,
    /// they do not fail.
    pub(crate) async fn token(&self, renew: bool) -> Result<Token, SyncError> {
        if !renew {
            if let Some(token) = self.token.read().await.clone() {
                return Ok(token);
            }
        }
        self.fetch_token().await.map_err(|e| match e {
            SignIn::Refused(message) => SyncError::Transient { message, retry_after: Some(self.sign_in_wait) },
            SignIn::Unavailable(e) => e,
        })
    }

    async fn fetch_token(&self) -> Result<Token, SignIn> {
        let mut held = self.token.write().await;
        let url = format!("{}/services/oauth2/token", self.credentials.login_url.trim_end_matches('/'));
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.credentials.client_id.as_str()),
            ("client_secret", self.credentials.client_secret.expose_secret()),
        ];
        let response = self.http.post(url).form(&form).send().await.map_err(|e| SignIn::Unavailable(transport(e)))?;
        self.note_clock(response.headers());
        let status = response.status();
        let raw = response.bytes().await.map_err(|e| SignIn::Unavailable(transport(e)))?;
        if !status.is_success() {
            let message = format!(
                "Salesforce refused the sign-in ({status}): {}",
                String::from_utf8_lossy(&raw).chars().take(300).collect::<String>()
            );
            return Err(if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                SignIn::Unavailable(SyncError::Transient { message, retry_after: None })
            } else {
                SignIn::Refused(message)
            });
        }
        let token: Token = serde_json::from_slice(&raw).map_err(|e| {
            SignIn::Unavailable(SyncError::Transient { message: format!("unexpected token answer: {e}"), retry_after: None })
        })?;
        *held = Some(token.clone());
        Ok(token)
    }
}
