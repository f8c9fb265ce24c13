//! What the sync records on a link as it goes: a write the integration
//! answered, a record found or adopted, an outside event taken into
//! account, a failed attempt, and a link found not to hold what it says.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};
use crate::schema::sync_links;
use crate::sync::{EntityRef, SyncStatus};

/// The outside system now holds `version` of the entity, written by us
/// (`fingerprint`: what the write set; None for a delete). `synced_version`
/// becomes exactly `version`, even if it was higher: a write of ours that
/// landed late may have replaced what an inward change recorded as held
/// outside meanwhile, so anything newer than `version` is sent again.
/// `current` is the entity's version now: the link is `synced` only if the
/// write carried it.
pub async fn record_written(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    external_id: Option<&str>,
    version: i64,
    fingerprint: Option<&str>,
    current: i64,
) -> Result<(), diesel::result::Error> {
    let status = if version >= current { SyncStatus::Synced } else { SyncStatus::Pending };
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .set((
            sync_links::pushed_version.eq(version),
            sync_links::pushed_fingerprint.eq(fingerprint),
            sync_links::external_id.eq(external_id),
            sync_links::status.eq(status),
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

/// A conditional write of `version` was refused because the outside record
/// changed after it was made: the link stays pending (the outside edit is
/// on its way in) and says why. A link already past `version` is left alone.
pub async fn note_superseded(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    version: i64,
    note: &str,
) -> Result<(), diesel::result::Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .filter(sync_links::synced_version.lt(version))
        .set((sync_links::status.eq(SyncStatus::Pending), sync_links::last_error.eq(note), sync_links::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Links the entity to an outside record found by looking it up (a create
/// of ours whose answer was never recorded).
pub async fn adopt(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    external_id: &str,
) -> Result<(), diesel::result::Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .set((sync_links::external_id.eq(external_id), sync_links::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The entity stands for another outside record from now on (the one its
/// record was merged into there): nothing of ours was written to it, so the
/// link starts afresh on it, pending.
pub async fn relink(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    external_id: &str,
) -> Result<(), diesel::result::Error> {
    afresh(conn, integration, entity, Some(external_id)).await
}

/// The link as if nothing of ours had reached `external_id` yet, pending.
async fn afresh(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    external_id: Option<&str>,
) -> Result<(), diesel::result::Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .set((
            sync_links::external_id.eq(external_id),
            sync_links::pushed_version.eq(0),
            sync_links::pushed_fingerprint.eq(None::<String>),
            sync_links::synced_version.eq(0),
            sync_links::status.eq(SyncStatus::Pending),
            sync_links::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The entity stands for no outside record any more (its record was deleted
/// there and an operator kept the entity): pending, to be made there anew.
pub async fn unlink(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<(), diesel::result::Error> {
    afresh(conn, integration, entity, None).await
}

/// The outside record does not hold what the link says (a reconcile read
/// it): the link falls back to `version` (the caller holds the link's lock
/// and passes no more than its `synced_version`) and is pending again, so
/// the entity's newer versions are written again.
pub async fn mark_outdated(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    version: i64,
) -> Result<(), diesel::result::Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .set((
            sync_links::synced_version.eq(version),
            sync_links::status.eq(SyncStatus::Pending),
            sync_links::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// An outside event was taken into account: moves the high-water mark to
/// it and, when `holds` is set, notes that the outside record already holds
/// that version of the entity (so the worker has nothing to send back).
pub async fn record_inbound(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    external_id: &str,
    event: (i64, &str),
    holds: Option<i64>,
) -> Result<(), diesel::result::Error> {
    let target = sync_links::table.find((integration, entity.entity_type, entity.id));
    diesel::update(target)
        .set((
            sync_links::external_id.eq(external_id),
            sync_links::remote_event_at.eq(event.0),
            sync_links::remote_event_id.eq(event.1),
            sync_links::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    if let Some(version) = holds {
        diesel::update(target)
            .filter(sync_links::synced_version.le(version))
            .set((
                sync_links::status.eq(SyncStatus::Synced),
                sync_links::last_error.eq(None::<String>),
                sync_links::attempts.eq(0),
                sync_links::synced_version.eq(version),
                sync_links::synced_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A failed attempt: shows the error, and counts it when `counts` (a wait
/// asked for is no attempt). `status` stays `pending`
/// while a retry is scheduled and becomes `failed` when none is. A link that
/// already holds a newer version than the one tried is left alone.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    tried_version: i64,
    error: &str,
    status: SyncStatus,
    counts: bool,
) -> Result<(), Error> {
    diesel::update(sync_links::table.find((integration, entity.entity_type, entity.id)))
        .filter(sync_links::synced_version.lt(tried_version))
        .set((
            sync_links::status.eq(status),
            sync_links::last_error.eq(error),
            sync_links::attempts.eq(sync_links::attempts + i32::from(counts)),
            sync_links::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .context("recording a failed sync attempt")?;
    Ok(())
}
