//! The outward write journal (`sync_writes`): the one write per entity and
//! integration whose outcome is not known yet, recorded before it is sent.
//! The worker resends exactly this request, under the same idempotency key
//! (a new one derived from it when the integration keeps a failure under
//! the old one), until the integration answers for certain; only then does a newer write
//! of the entity go out. The inward side reads it to recognise our own write
//! coming back while the worker still waits for its answer.

use std::io::Write;

use chrono::{DateTime, Utc};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::sync_writes;
use crate::sync::EntityRef;

/// What a journaled write does to the outside record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum WriteOperation {
    Create,
    Update,
    Delete,
}

impl WriteOperation {
    pub fn as_str(&self) -> &'static str {
        match self {
            WriteOperation::Create => "create",
            WriteOperation::Update => "update",
            WriteOperation::Delete => "delete",
        }
    }
}

impl ToSql<Text, Pg> for WriteOperation {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.as_str().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Text, Pg> for WriteOperation {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        match bytes.as_bytes() {
            b"create" => Ok(WriteOperation::Create),
            b"update" => Ok(WriteOperation::Update),
            b"delete" => Ok(WriteOperation::Delete),
            other => Err(format!("unknown write operation {:?}", String::from_utf8_lossy(other)).into()),
        }
    }
}

/// A write whose outcome is not known yet.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sync_writes)]
pub struct SyncWrite {
    pub integration: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub operation: WriteOperation,
    /// The entity version the write carries.
    pub entity_version: i64,
    pub idempotency_key: String,
    /// The outside record written to (updates and deletes).
    pub external_id: Option<String>,
    /// The record as sent, serialized by its catalog.
    pub request: serde_json::Value,
    /// Fingerprint of the synced fields it writes (none for a delete).
    pub fingerprint: Option<String>,
    pub sends: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
    /// An update's condition: the outside record must not have changed after
    /// this (the later edit wins). Journaled, so a resend carries it too.
    pub unmodified_since: Option<DateTime<Utc>>,
}

/// The entity's unsettled write in `integration`, if any.
pub async fn find(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<Option<SyncWrite>, diesel::result::Error> {
    sync_writes::table.find((integration, entity.entity_type, entity.id)).select(SyncWrite::as_select()).first(conn).await.optional()
}

/// Journals a write before it is sent. There is at most one per entity and
/// integration: the caller holds the entity's link lock and found none.
pub async fn insert(conn: &mut AsyncPgConnection, write: &SyncWrite) -> Result<(), diesel::result::Error> {
    diesel::insert_into(sync_writes::table).values(write).execute(conn).await?;
    Ok(())
}

/// Notes a send whose outcome is still unknown (`error`: why).
pub async fn sent(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef, error: &str) -> Result<(), diesel::result::Error> {
    diesel::update(sync_writes::table.find((integration, entity.entity_type, entity.id)))
        .set((
            sync_writes::sends.eq(sync_writes::sends + 1),
            sync_writes::last_error.eq(error),
            sync_writes::last_sent_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The key after `key` for a write whose answer the integration keeps
/// under it: `{key}:r1`, then `{key}:r2`...
pub fn next_key(key: &str) -> String {
    let (base, n) = match key.rsplit_once(":r") {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (base, n.parse::<u32>().unwrap_or(0)),
        _ => (key, 0),
    };
    format!("{base}:r{}", n.saturating_add(1))
}

/// Notes a send whose answer is kept under its key (`error`: the answer):
/// the write goes again under `next`. Only if it is still under `key`.
pub async fn rekey(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    key: &str,
    next: &str,
    error: &str,
) -> Result<(), diesel::result::Error> {
    diesel::update(sync_writes::table.find((integration, entity.entity_type, entity.id)).filter(sync_writes::idempotency_key.eq(key)))
        .set((
            sync_writes::idempotency_key.eq(next),
            sync_writes::sends.eq(sync_writes::sends + 1),
            sync_writes::last_error.eq(error),
            sync_writes::last_sent_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The integration answered for certain: the write is no longer in doubt.
pub async fn settle(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<(), diesel::result::Error> {
    diesel::delete(sync_writes::table.find((integration, entity.entity_type, entity.id))).execute(conn).await?;
    Ok(())
}

/// How many writes are in doubt, per integration, and the age in seconds of
/// the oldest: a write that stays in doubt long means the integration keeps
/// failing to answer.
pub async fn in_doubt(conn: &mut AsyncPgConnection) -> Result<Vec<(String, i64, Option<DateTime<Utc>>)>, diesel::result::Error> {
    sync_writes::table
        .group_by(sync_writes::integration)
        .select((sync_writes::integration, diesel::dsl::count_star(), diesel::dsl::min(sync_writes::created_at)))
        .load(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::next_key;

    #[test]
    fn a_new_key_counts_up_from_the_journaled_one() {
        let key = "catalog-sync:stripe:customer:0190:create:v1:0a1b2c3d4e5f";
        assert_eq!(next_key(key), format!("{key}:r1"));
        assert_eq!(next_key(&next_key(key)), format!("{key}:r2"));
        assert_eq!(next_key(&format!("{key}:r9")), format!("{key}:r10"));
        assert_eq!(next_key("k:rx"), "k:rx:r1", "only a number after :r is a count");
    }
}
