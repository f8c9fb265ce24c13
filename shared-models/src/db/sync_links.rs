use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

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
    pub status: String,
    pub last_error: Option<String>,
    pub attempts: i32,
    pub synced_version: i64,
    pub synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sync_links)]
struct NewSyncLink<'a> {
    integration: &'a str,
    entity_type: &'a str,
    entity_id: Uuid,
    status: &'a str,
}

/// Marks the entity as waiting for each integration (the change is queued).
/// A `failed` link goes back to `pending`: the new change is a new chance.
pub async fn mark_pending(conn: &mut AsyncPgConnection, integrations: &[String], entity: &EntityRef) -> Result<(), diesel::result::Error> {
    let rows: Vec<_> = integrations
        .iter()
        .map(|integration| NewSyncLink {
            integration,
            entity_type: entity.entity_type,
            entity_id: entity.id,
            status: SyncStatus::Pending.as_str(),
        })
        .collect();
    diesel::insert_into(sync_links::table)
        .values(&rows)
        .on_conflict((sync_links::integration, sync_links::entity_type, sync_links::entity_id))
        .do_update()
        .set((sync_links::status.eq(excluded(sync_links::status)), sync_links::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
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

/// The link row, locked until the transaction ends: the one place where
/// concurrent workers serialise on an entity. Created if missing.
pub async fn lock(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<SyncLink, diesel::result::Error> {
    diesel::insert_into(sync_links::table)
        .values(NewSyncLink { integration, entity_type: entity.entity_type, entity_id: entity.id, status: SyncStatus::Pending.as_str() })
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    sync_links::table.find((integration, entity.entity_type, entity.id)).select(SyncLink::as_select()).for_update().first(conn).await
}

/// The outside system now holds `version` of the entity.
pub async fn record_success(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    external_id: Option<&str>,
    version: i64,
) -> Result<(), diesel::result::Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .set((
            sync_links::external_id.eq(external_id),
            sync_links::status.eq(SyncStatus::Synced.as_str()),
            sync_links::last_error.eq(None::<String>),
            sync_links::attempts.eq(0),
            sync_links::synced_version.eq(version),
            sync_links::synced_at.eq(diesel::dsl::now),
            sync_links::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A failed attempt: counts it and shows the error. `status` stays `pending`
/// while a retry is scheduled and becomes `failed` when none is. A link that
/// already holds a newer version than the one tried is left alone.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    tried_version: i64,
    error: &str,
    status: SyncStatus,
) -> Result<(), Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .filter(sync_links::synced_version.lt(tried_version))
        .set((
            sync_links::status.eq(status.as_str()),
            sync_links::last_error.eq(error),
            sync_links::attempts.eq(sync_links::attempts + 1),
            sync_links::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .context("recording a failed sync attempt")?;
    Ok(())
}
