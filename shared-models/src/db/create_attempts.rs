use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};
use crate::schema::sync_create_attempts;
use crate::sync::EntityRef;

#[derive(Debug, Insertable)]
#[diesel(table_name = sync_create_attempts)]
struct NewAttempt<'a> {
    integration: &'a str,
    entity_type: &'a str,
    entity_id: uuid::Uuid,
    lookup_key: &'a str,
}

/// Remembers, durably and before the call, that a create is about to be sent
/// with this lookup key. Must run outside the caller's transaction.
pub async fn record(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef, lookup_key: &str) -> Result<(), Error> {
    diesel::insert_into(sync_create_attempts::table)
        .values(NewAttempt { integration, entity_type: entity.entity_type, entity_id: entity.id, lookup_key })
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .context("recording a create attempt")?;
    Ok(())
}

/// Every lookup key a create of this entity was ever attempted with.
pub async fn lookup_keys(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
) -> Result<Vec<String>, diesel::result::Error> {
    sync_create_attempts::table
        .filter(sync_create_attempts::integration.eq(integration))
        .filter(sync_create_attempts::entity_type.eq(entity.entity_type))
        .filter(sync_create_attempts::entity_id.eq(entity.id))
        .order(sync_create_attempts::attempted_at.asc())
        .select(sync_create_attempts::lookup_key)
        .load(conn)
        .await
}
