//! The links of one catalog's live entities, in id order: the pages a
//! reconcile walks to find outside records that are gone. Every catalog
//! asks the same question of its own table.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{Context, Error};
use crate::schema::sync_links;

/// The catalog's condition that a link's entity is live
/// (`entity_id IN (SELECT id FROM <its table> WHERE deleted_at IS NULL)`).
pub type LiveEntity = Box<dyn BoxableExpression<sync_links::table, Pg, SqlType = Bool>>;

/// (entity id, external id) of the live entities of `entity_type` linked to
/// a record of `integration`, after `after`.
pub async fn linked_live(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity_type: &'static str,
    live: LiveEntity,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(Uuid, String)>, Error> {
    let mut query = sync_links::table
        .filter(sync_links::integration.eq(integration))
        .filter(sync_links::entity_type.eq(entity_type))
        .filter(live)
        .filter(sync_links::external_id.is_not_null())
        .select((sync_links::entity_id, sync_links::external_id.assume_not_null()))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(sync_links::entity_id.gt(after));
    }
    query.order(sync_links::entity_id.asc()).limit(limit).load(conn).await.context("reading the linked entities of a catalog")
}
