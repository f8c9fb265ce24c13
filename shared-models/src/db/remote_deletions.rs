//! Outside records deleted before any local record stood for them
//! (`remote_deletions`). Events arrive out of order: when a delete is
//! applied before the create it follows, the create, arriving later, must
//! not bring the record in. A delete is final, and an outside id is never
//! used again.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};
use crate::schema::remote_deletions;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = remote_deletions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct RemoteDeletion {
    pub integration: String,
    pub entity_type: String,
    pub external_id: String,
    /// The delete event, as the integration named it.
    pub event_id: String,
    pub event_created: i64,
}

/// Remembers that the outside record was deleted (the first delete seen wins).
pub async fn record(conn: &mut AsyncPgConnection, deletion: &RemoteDeletion) -> Result<(), diesel::result::Error> {
    diesel::insert_into(remote_deletions::table).values(deletion).on_conflict_do_nothing().execute(conn).await?;
    Ok(())
}

/// The deletion of the outside record, if one was seen.
pub async fn find(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &str,
    external_id: &str,
) -> Result<Option<RemoteDeletion>, diesel::result::Error> {
    remote_deletions::table.find((integration, entity_type, external_id)).select(RemoteDeletion::as_select()).first(conn).await.optional()
}

/// Forgets deletions older than `hours`, with the inbox's retention: by then
/// no event of the record is still on its way.
pub async fn prune(conn: &mut AsyncPgConnection, hours: u64) -> Result<usize, Error> {
    diesel::delete(remote_deletions::table.filter(remote_deletions::recorded_at.lt(super::hours_ago(hours))))
        .execute(conn)
        .await
        .context("pruning remembered deletions")
}
