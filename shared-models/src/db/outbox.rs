use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{Context, Error};
use crate::schema::outbox;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: Uuid,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub operation: String,
    pub entity_version: i64,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Set aside: no queue took it.
    pub unroutable: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxRow<'a> {
    pub message_id: Uuid,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub operation: &'a str,
    pub entity_version: i64,
    pub payload: serde_json::Value,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: NewOutboxRow<'_>) -> Result<(), diesel::result::Error> {
    diesel::insert_into(outbox::table).values(row).execute(conn).await?;
    Ok(())
}

/// The oldest unpublished rows, locked; rows another relay holds are skipped,
/// so several api-service instances can relay side by side.
pub async fn claim_unpublished(conn: &mut AsyncPgConnection, limit: i64) -> Result<Vec<OutboxRow>, diesel::result::Error> {
    outbox::table
        .filter(outbox::published_at.is_null())
        .order(outbox::id.asc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await
}

pub async fn mark_published(conn: &mut AsyncPgConnection, ids: &[i64]) -> Result<(), diesel::result::Error> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids))).set(outbox::published_at.eq(diesel::dsl::now)).execute(conn).await?;
    Ok(())
}

/// Sets rows aside that no queue takes: they no longer wait, and show in
/// `/sync/status` until pruned with the published ones.
pub async fn mark_unroutable(conn: &mut AsyncPgConnection, ids: &[i64]) -> Result<(), diesel::result::Error> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((outbox::published_at.eq(diesel::dsl::now), outbox::unroutable.eq(true)))
        .execute(conn)
        .await?;
    Ok(())
}

/// How many rows were set aside as unroutable (within the retention).
pub async fn count_unroutable(conn: &mut AsyncPgConnection) -> Result<i64, Error> {
    outbox::table.filter(outbox::unroutable.eq(true)).count().get_result(conn).await.context("counting unroutable outbox rows")
}

/// The creation time of the oldest unpublished row: how far the relay lags.
pub async fn oldest_unpublished(conn: &mut AsyncPgConnection) -> Result<Option<DateTime<Utc>>, Error> {
    outbox::table
        .filter(outbox::published_at.is_null())
        .select(diesel::dsl::min(outbox::created_at))
        .get_result(conn)
        .await
        .context("reading the oldest unpublished outbox row")
}

pub async fn count_unpublished(conn: &mut AsyncPgConnection) -> Result<i64, Error> {
    outbox::table.filter(outbox::published_at.is_null()).count().get_result(conn).await.context("counting unpublished outbox rows")
}

/// Published rows older than `hours` are history only; drop them.
pub async fn prune_published(conn: &mut AsyncPgConnection, hours: u64) -> Result<usize, Error> {
    let cutoff = super::hours_ago(hours);
    diesel::delete(outbox::table.filter(outbox::published_at.lt(cutoff))).execute(conn).await.context("pruning published outbox rows")
}
