//! `api-service keys create|list|revoke`: API keys made and revoked from
//! the command line, by whoever runs the service (and holds its database).

use secrecy::SecretString;
use shared_models::auth::{self, Scope};
use shared_models::db::api_keys::{self, ApiKey, NewApiKey};
use shared_models::db::PgPool;
use shared_models::error::Context;
use shared_models::Error;
use uuid::Uuid;

/// Reads `read,write,operate`; every scope when empty.
pub fn parse_scopes(list: &str) -> Result<Vec<Scope>, Error> {
    let mut scopes = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let scope = Scope::parse(item).ok_or_else(|| Error::Config(format!("unknown scope '{item}' (scopes: read, write, operate)")))?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(if scopes.is_empty() { Scope::ALL.to_vec() } else { scopes })
}

/// Makes a key; the key itself exists only in what this returns.
pub async fn create(pool: &PgPool, name: &str, scopes: &[Scope]) -> Result<(Uuid, SecretString), Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::Config("a key's name must be 1 to 100 characters, with no control characters".into()));
    }
    let (key, hash, prefix) = auth::generate()?;
    let id = Uuid::now_v7();
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let mut conn = pool.get().await.context("checking out a connection to store an API key")?;
    api_keys::insert(&mut conn, NewApiKey { id, name, prefix: &prefix, key_hash: &hash, scopes }).await?;
    Ok((id, key))
}

pub async fn list(pool: &PgPool) -> Result<Vec<ApiKey>, Error> {
    let mut conn = pool.get().await.context("checking out a connection to list API keys")?;
    api_keys::list(&mut conn).await
}

/// False when no live key has that id.
pub async fn revoke(pool: &PgPool, id: Uuid) -> Result<bool, Error> {
    let mut conn = pool.get().await.context("checking out a connection to revoke an API key")?;
    api_keys::revoke(&mut conn, id).await
}
