use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::storable;
use crate::error::{Context, Error};
use crate::schema::sync_conflicts;

/// An outside record we could not take in, and why.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = sync_conflicts)]
pub struct SyncConflict {
    pub integration: String,
    pub entity_type: String,
    pub external_id: String,
    /// The local entity it belongs to, when there is one.
    pub entity_id: Option<Uuid>,
    pub problem: String,
    /// The outside record as its latest event carried it.
    pub remote: serde_json::Value,
    pub event_id: String,
    pub event_created: i64,
    pub detected_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Insertable, AsChangeset)]
#[diesel(table_name = sync_conflicts, treat_none_as_null = true)]
pub struct NewSyncConflict<'a> {
    pub integration: &'a str,
    pub entity_type: &'a str,
    pub external_id: &'a str,
    pub entity_id: Option<Uuid>,
    pub problem: &'a str,
    pub remote: &'a serde_json::Value,
    pub event_id: &'a str,
    pub event_created: i64,
}

/// Records (or replaces) the problem of an outside record. A record
/// PostgreSQL cannot hold as it is (a NUL in a string) is stored escaped and
/// marked; the readers below give the original back.
pub async fn upsert(conn: &mut AsyncPgConnection, conflict: &NewSyncConflict<'_>) -> Result<(), diesel::result::Error> {
    let (remote, escaped) = storable::escape_json(conflict.remote);
    let problem = storable::text(conflict.problem);
    let row = NewSyncConflict { remote: &remote, problem: &problem, ..*conflict };
    let mark = sync_conflicts::remote_escaped.eq(escaped);
    diesel::insert_into(sync_conflicts::table)
        .values((&row, mark))
        .on_conflict((sync_conflicts::integration, sync_conflicts::entity_type, sync_conflicts::external_id))
        .do_update()
        .set((&row, mark, sync_conflicts::detected_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored conflict with the outside record as it was received.
fn original((conflict, escaped): (SyncConflict, bool)) -> SyncConflict {
    SyncConflict { remote: storable::unescape_json(conflict.remote, escaped), ..conflict }
}

/// What the readers select: the conflict and its mark.
type Stored = (SyncConflict, bool);

/// The outside record is fine again (or gone): its problem is over.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &str,
    external_id: &str,
) -> Result<(), diesel::result::Error> {
    diesel::delete(sync_conflicts::table.find((integration, entity_type, external_id))).execute(conn).await?;
    Ok(())
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &str,
    external_id: &str,
) -> Result<Option<SyncConflict>, diesel::result::Error> {
    let row: Option<Stored> = sync_conflicts::table
        .find((integration, entity_type, external_id))
        .select((SyncConflict::as_select(), sync_conflicts::remote_escaped))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(original))
}

/// Open conflicts, newest first.
pub async fn list(conn: &mut AsyncPgConnection, entity_type: Option<&str>, limit: i64) -> Result<Vec<SyncConflict>, Error> {
    let mut query = sync_conflicts::table.select((SyncConflict::as_select(), sync_conflicts::remote_escaped)).into_boxed();
    if let Some(entity_type) = entity_type {
        query = query.filter(sync_conflicts::entity_type.eq(entity_type.to_owned()));
    }
    let rows: Vec<Stored> = query
        .order((sync_conflicts::detected_at.desc(), sync_conflicts::external_id.asc()))
        .limit(limit)
        .load(conn)
        .await
        .context("listing sync conflicts")?;
    Ok(rows.into_iter().map(original).collect())
}

/// Open conflicts of the given local entities, by entity id.
pub async fn for_entities(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<SyncConflict>>, Error> {
    let rows: Vec<Stored> = sync_conflicts::table
        .filter(sync_conflicts::entity_type.eq(entity_type))
        .filter(sync_conflicts::entity_id.eq_any(ids))
        .select((SyncConflict::as_select(), sync_conflicts::remote_escaped))
        .load(conn)
        .await
        .context("reading sync conflicts")?;
    let mut by_entity: HashMap<Uuid, Vec<SyncConflict>> = HashMap::new();
    for row in rows.into_iter().map(original) {
        if let Some(id) = row.entity_id {
            by_entity.entry(id).or_default().push(row);
        }
    }
    Ok(by_entity)
}

/// Open conflicts per integration.
pub async fn counts(conn: &mut AsyncPgConnection) -> Result<Vec<(String, i64)>, Error> {
    sync_conflicts::table
        .group_by(sync_conflicts::integration)
        .select((sync_conflicts::integration, diesel::dsl::count_star()))
        .load(conn)
        .await
        .context("counting sync conflicts")
}
