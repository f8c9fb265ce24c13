//! The link between a catalog entity and its record in an integration
//! (`sync_links`): how far the sync has got, read and written.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

mod linked;
mod record;

pub use linked::{linked_live, LiveEntity};
pub use record::{adopt, mark_outdated, note_superseded, record_failure, record_inbound, record_written, relink, unlink};

use crate::error::{Context, Error};
use crate::schema::sync_links;
use crate::sync::{EntityRef, SyncStatus};

/// The link between one catalog entity and its record in one integration.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sync_links)]
pub struct SyncLink {
    pub integration: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub external_id: Option<String>,
    pub status: SyncStatus,
    pub last_error: Option<String>,
    pub attempts: i32,
    pub synced_version: i64,
    pub synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version of our last write to the outside record, and the
    /// fingerprint of what it wrote: its echo is recognised by both.
    pub pushed_version: i64,
    pub pushed_fingerprint: Option<String>,
    /// The newest outside event taken into account (unix seconds, id).
    pub remote_event_at: Option<i64>,
    pub remote_event_id: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sync_links)]
struct NewSyncLink<'a> {
    integration: &'a str,
    entity_type: &'a str,
    entity_id: Uuid,
    status: SyncStatus,
}

/// Marks the entity as waiting for each integration (the change is queued).
/// A `failed` link goes back to `pending`: the new change is a new chance.
/// Returns those links, by integration.
pub async fn mark_pending(
    conn: &mut AsyncPgConnection,
    integrations: &[String],
    entity: &EntityRef,
) -> Result<Vec<SyncLink>, diesel::result::Error> {
    let rows: Vec<_> = integrations
        .iter()
        .map(|integration| NewSyncLink { integration, entity_type: entity.entity_type, entity_id: entity.id, status: SyncStatus::Pending })
        .collect();
    diesel::insert_into(sync_links::table)
        .values(&rows)
        .on_conflict((sync_links::integration, sync_links::entity_type, sync_links::entity_id))
        .do_update()
        .set((sync_links::status.eq(excluded(sync_links::status)), sync_links::updated_at.eq(diesel::dsl::now)))
        .returning(SyncLink::as_returning())
        .get_results(conn)
        .await
        .map(|mut links: Vec<SyncLink>| {
            links.sort_by(|a, b| a.integration.cmp(&b.integration));
            links
        })
}

/// A `failed` link goes back to `pending`: its change was queued again (a
/// replayed dead letter). Left alone if the worker got there first.
pub async fn retry_failed(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<(), Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .filter(sync_links::status.eq(SyncStatus::Failed))
        .set((sync_links::status.eq(SyncStatus::Pending), sync_links::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .context("marking a replayed change pending")?;
    Ok(())
}

/// Every link of the given entities, grouped by entity id.
pub async fn for_entities(conn: &mut AsyncPgConnection, entity_type: &str, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<SyncLink>>, Error> {
    let links: Vec<SyncLink> = sync_links::table
        .filter(sync_links::entity_type.eq(entity_type))
        .filter(sync_links::entity_id.eq_any(ids))
        .order(sync_links::integration.asc())
        .select(SyncLink::as_select())
        .load(conn)
        .await
        .context("reading sync links")?;
    let mut by_entity: HashMap<Uuid, Vec<SyncLink>> = HashMap::new();
    for link in links {
        by_entity.entry(link.entity_id).or_default().push(link);
    }
    Ok(by_entity)
}

/// The link row, locked until the transaction ends: the API's writes, the
/// worker's short transactions around each call and the inward rules take
/// turns on it. Created if missing.
pub async fn lock(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<SyncLink, diesel::result::Error> {
    let target = sync_links::table.find((integration, entity.entity_type, entity.id));
    // The link nearly always exists (the change that queued the work made
    // it): one round trip then, the insert only when it is missing.
    if let Some(link) = target.select(SyncLink::as_select()).for_update().first(conn).await.optional()? {
        return Ok(link);
    }
    diesel::insert_into(sync_links::table)
        .values(NewSyncLink { integration, entity_type: entity.entity_type, entity_id: entity.id, status: SyncStatus::Pending })
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    sync_links::table.find((integration, entity.entity_type, entity.id)).select(SyncLink::as_select()).for_update().first(conn).await
}

/// The link, if one exists, read without locking it.
pub async fn find(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<Option<SyncLink>, diesel::result::Error> {
    sync_links::table.find((integration, entity.entity_type, entity.id)).select(SyncLink::as_select()).first(conn).await.optional()
}

/// The link of the outside record `external_id`, if one exists.
pub async fn find_by_external(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &str,
    external_id: &str,
) -> Result<Option<SyncLink>, diesel::result::Error> {
    sync_links::table
        .filter(sync_links::integration.eq(integration))
        .filter(sync_links::entity_type.eq(entity_type))
        .filter(sync_links::external_id.eq(external_id))
        .select(SyncLink::as_select())
        .first(conn)
        .await
        .optional()
}

/// How many entities of `entity_type` are linked to a record of `integration`.
pub async fn count_linked(conn: &mut AsyncPgConnection, integration: &str, entity_type: &str) -> Result<i64, diesel::result::Error> {
    sync_links::table
        .filter(sync_links::integration.eq(integration))
        .filter(sync_links::entity_type.eq(entity_type))
        .filter(sync_links::external_id.is_not_null())
        .count()
        .get_result(conn)
        .await
}

/// How many links are in each status, per integration and entity type.
pub async fn status_counts(conn: &mut AsyncPgConnection) -> Result<Vec<(String, String, SyncStatus, i64)>, Error> {
    sync_links::table
        .group_by((sync_links::integration, sync_links::entity_type, sync_links::status))
        .select((sync_links::integration, sync_links::entity_type, sync_links::status, diesel::dsl::count_star()))
        .load(conn)
        .await
        .context("counting sync links by status")
}
