//! API keys, stored as SHA-256 hashes (see `crate::auth`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Scope;
use crate::error::{Context, Error};
use crate::schema::api_keys;

/// A key as listed: never the key itself.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    #[serde(skip)]
    pub key_hash: String,
    pub scopes: Vec<Option<String>>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.iter().flatten().filter_map(|s| Scope::parse(s)).collect()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub scopes: Vec<&'a str>,
}

pub async fn insert(conn: &mut AsyncPgConnection, key: NewApiKey<'_>) -> Result<(), Error> {
    diesel::insert_into(api_keys::table).values(key).execute(conn).await.context("storing an API key")?;
    Ok(())
}

/// The scopes of the live (not revoked) key with this hash.
pub async fn scopes_of(conn: &mut AsyncPgConnection, key_hash: &str) -> Result<Option<Vec<Scope>>, Error> {
    let key = api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKey::as_select())
        .first(conn)
        .await
        .optional()
        .context("looking up an API key")?;
    Ok(key.map(|k| k.scopes()))
}

pub async fn list(conn: &mut AsyncPgConnection) -> Result<Vec<ApiKey>, Error> {
    api_keys::table.order(api_keys::created_at.asc()).select(ApiKey::as_select()).load(conn).await.context("listing API keys")
}

/// Revokes a key; false when no live key has that id.
pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool, Error> {
    let revoked = diesel::update(api_keys::table.find(id).filter(api_keys::revoked_at.is_null()))
        .set(api_keys::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
        .context("revoking an API key")?;
    Ok(revoked == 1)
}
