//! API keys: bearer tokens with scopes. A key is `csk_` and 43 characters
//! of base64url (256 random bits). Only its SHA-256 is stored, so a copy of
//! the database holds no usable key; a fast hash is enough for keys that
//! cannot be guessed. Keys looked up are cached for a few seconds: a revoke
//! takes effect within `CACHE_FOR`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom, SystemRandom};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::db::{api_keys, PgPool};
use crate::error::Context;
use crate::Error;

/// How long a looked-up key's scopes (or its absence) are trusted.
pub const CACHE_FOR: Duration = Duration::from_secs(5);
/// Past this many cached keys the cache starts over: random keys sent by
/// an attacker cannot grow it without bound.
const CACHE_MAX: usize = 10_000;
const PREFIX: &str = "csk_";

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read the catalog and the sync's state.
    Read,
    /// Create, change and delete catalog entries.
    Write,
    /// Dead letters, reconciles and metrics.
    Operate,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Operate];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Operate => "operate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s.trim().to_ascii_lowercase())
    }
}

/// Why a request was not let through.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("this endpoint needs an API key: send `Authorization: Bearer <key>`")]
    Missing,
    #[error("the API key is not valid (unknown, revoked or malformed)")]
    Invalid,
    #[error("the API key lacks the `{}` scope this endpoint needs", .0.as_str())]
    Forbidden(Scope),
    #[error(transparent)]
    Unavailable(#[from] Error),
}

/// A new random key, its hash and its displayed prefix.
pub fn generate() -> Result<(SecretString, String, String), Error> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).map_err(|_| Error::Config("the system's random source failed".into()))?;
    let key = format!("{PREFIX}{}", base64url(&bytes));
    let (hash, prefix) = (hash(&key), key.chars().take(PREFIX.len() + 6).collect());
    Ok((SecretString::from(key), hash, prefix))
}

/// The stored form of a key.
pub fn hash(key: &str) -> String {
    crate::sync::fingerprint(&[key])
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A key's scopes (`None`: no live key) and when they were read.
type Cached = (Instant, Option<Vec<Scope>>);

/// Checks bearer keys against the database (and the bootstrap key, when one
/// is configured).
pub struct Authenticator {
    pool: PgPool,
    /// Off only where nothing but this host can connect (see the settings).
    enabled: bool,
    bootstrap_hash: Option<String>,
    cache: Mutex<HashMap<String, Cached>>,
}

impl Authenticator {
    pub fn new(pool: PgPool, enabled: bool, bootstrap: Option<&SecretString>) -> Self {
        let bootstrap_hash = bootstrap.map(|k| k.expose_secret().trim()).filter(|k| !k.is_empty()).map(hash);
        Self { pool, enabled, bootstrap_hash, cache: Mutex::new(HashMap::new()) }
    }

    /// Lets the request through when its `Authorization` header carries a
    /// live key with `needed`.
    pub async fn check(&self, authorization: Option<&str>, needed: Scope) -> Result<(), AuthError> {
        if !self.enabled {
            return Ok(());
        }
        let header = authorization.map(str::trim).filter(|h| !h.is_empty()).ok_or(AuthError::Missing)?;
        let (scheme, key) = header.split_once(' ').ok_or(AuthError::Invalid)?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || key.is_empty() || key.len() > 200 {
            return Err(AuthError::Invalid);
        }
        let hashed = hash(key);
        let scopes =
            if self.bootstrap_hash.as_deref() == Some(hashed.as_str()) { Some(Scope::ALL.to_vec()) } else { self.lookup(&hashed).await? };
        match scopes {
            None => Err(AuthError::Invalid),
            Some(scopes) if scopes.contains(&needed) => Ok(()),
            Some(_) => Err(AuthError::Forbidden(needed)),
        }
    }

    async fn lookup(&self, hashed: &str) -> Result<Option<Vec<Scope>>, Error> {
        if let Ok(cache) = self.cache.lock() {
            if let Some((_, scopes)) = cache.get(hashed).filter(|(at, _)| at.elapsed() < CACHE_FOR) {
                return Ok(scopes.clone());
            }
        }
        let mut conn = self.pool.get().await.context("checking out a connection to check an API key")?;
        let scopes = api_keys::scopes_of(&mut conn, hashed).await?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(hashed.to_owned(), (Instant::now(), scopes.clone()));
        }
        Ok(scopes)
    }
}

/// `GET /metrics` of webhook-service and sync-worker: the metrics for a key
/// with the `operate` scope, else the JSON error (401, 403, 503).
pub async fn metrics(auth: std::sync::Arc<Authenticator>, req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::http::header;
    use actix_web::HttpResponse;
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let (mut response, code) = match auth.check(authorization, Scope::Operate).await {
        Ok(()) => return crate::metrics::serve().await,
        Err(AuthError::Missing | AuthError::Invalid) => {
            let mut response = HttpResponse::Unauthorized();
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            (response, "unauthorized")
        }
        Err(AuthError::Forbidden(_)) => (HttpResponse::Forbidden(), "forbidden"),
        Err(AuthError::Unavailable(e)) => {
            log::warn!("/metrics: {e}");
            (HttpResponse::ServiceUnavailable(), "service_unavailable")
        }
    };
    let message = match code {
        "service_unavailable" => "API keys cannot be checked right now; try again shortly".to_owned(),
        _ => format!("/metrics needs an API key with the `operate` scope: send `Authorization: Bearer <key>` ({code})"),
    };
    response.json(crate::http::error_body(code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_url_safe_and_stored_only_as_a_hash() {
        let (a, hash_a, prefix) = generate().expect("key");
        let (b, _, _) = generate().expect("key");
        let key = a.expose_secret();
        assert_ne!(key, b.expose_secret());
        assert!(key.starts_with("csk_") && key.len() == 4 + 43, "{key}");
        assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        assert_eq!(hash_a, hash(key));
        assert!(!hash_a.contains(&key[4..]) && key.starts_with(&prefix));
        assert_eq!(base64url(b"\xff\xff\xff"), "____");
    }

    #[test]
    fn scopes_read_as_written() {
        assert_eq!(Scope::parse(" Operate "), Some(Scope::Operate));
        assert_eq!(Scope::parse("admin"), None);
    }
}
