//! What only a read of the integration's current state can show (a
//! reconcile), never an event: the integration holding something other than
//! the catalog while the link says it is in sync. A write of ours may have
//! been lost, or an old write may have landed after a newer one. The
//! catalog's latest version is then queued to be written again; the worker
//! sends it as a new write.

use diesel_async::AsyncPgConnection;
use shared_models::db::sync_links::{self, SyncLink};
use shared_models::db::{changes, sync_writes};
use shared_models::sync::{EntityRef, Operation};

use super::rules::{reject, Ctx};
use super::{Effect, InwardCatalog, Local, Origin, Outcome, RemoteRecord, Source};
use crate::SyncError;

/// For a listed state of a live local entity: `Some` when the integration
/// holds neither the catalog's values nor a person's edit made after our
/// last write, so the catalog's version must be written again.
pub(super) async fn outdated_live<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: &RemoteRecord<C::Remote>,
    local: &Local<C::Record>,
    link: &SyncLink,
) -> Result<Option<Outcome>, SyncError> {
    let entity = Ctx::<C, S>::entity(local.id);
    if ctx.origin != Origin::Listed || sync_writes::find(conn, ctx.integration(), &entity).await?.is_some() {
        // Events are ordered by the rules; a write in doubt is the worker's.
        return Ok(None);
    }
    if C::holds(&remote.values, &local.record) {
        return Ok(None);
    }
    let written = remote.written_version;
    let holds_our_last_write = written == link.pushed_version && C::remote_fingerprint(&remote.values) == link.pushed_fingerprint;
    // The integration holds an older write of ours than the last one it
    // answered, or exactly our last write while the link says it holds a
    // later one.
    let lost = written < link.pushed_version || (holds_our_last_write && link.synced_version >= local.version);
    if !lost {
        return Ok(None);
    }
    let fall_back = written.min(local.version - 1).min(link.synced_version);
    requeue(conn, ctx.integration(), &entity, Operation::Updated, local.version, fall_back).await?;
    let detail = format!(
        "{} holds version {written} of {} {}, not version {} that the link records: version {} will be written again",
        ctx.pair.source().display_name(),
        C::NOUN,
        local.id,
        link.synced_version,
        local.version
    );
    Ok(Some(Outcome::requeued(local.id, Operation::Updated, detail)))
}

/// For a listed live outside record of an entity deleted here (a write in
/// doubt is the worker's, and events are ordered by the rules): `Some` when
/// the reconcile has something to repair. Either the integration never
/// confirmed the delete, which is then undone ([`restore`]), or the delete
/// did not reach a record of ours, which is then sent again ([`resend_delete`]).
pub(super) async fn deleted_here<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: &RemoteRecord<C::Remote>,
    local: &Local<C::Record>,
) -> Result<Option<Outcome>, SyncError> {
    let entity = Ctx::<C, S>::entity(local.id);
    if ctx.origin != Origin::Listed || remote.deleted || sync_writes::find(conn, ctx.integration(), &entity).await?.is_some() {
        return Ok(None);
    }
    let link = sync_links::lock(conn, ctx.integration(), &entity).await?;
    // The link holds the deleted version, and no delete of ours was sent:
    // the delete came from an event of this integration.
    let taken_from_there = link.external_id.as_deref() == Some(remote.external_id.as_str())
        && link.synced_version >= local.version
        && link.pushed_version < local.version;
    if taken_from_there {
        return restore(conn, ctx, remote, local, &entity).await.map(Some);
    }
    resend_delete(conn, ctx, remote, local, &entity, &link).await
}

/// The integration does not confirm a delete it supposedly made: its
/// deletes are final, yet it still lists the record, so the event was not
/// its own (forged or misrouted). The entity is brought back with the
/// integration's values, as a new version every other integration receives.
/// A delete made here (through the API) never gets here: the link does not
/// hold it until we sent it.
async fn restore<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: &RemoteRecord<C::Remote>,
    local: &Local<C::Record>,
    entity: &EntityRef,
) -> Result<Outcome, SyncError> {
    let accepted = match C::accept(&remote.values) {
        Ok(accepted) => accepted,
        Err(problem) => return reject(conn, ctx, remote, Some(local.id), problem).await,
    };
    if let Some(owner) = C::owner(conn, &accepted, Some(local.id)).await? {
        return reject(conn, ctx, remote, Some(local.id), C::owned_problem(&accepted, owner)).await;
    }
    let version = C::restore(conn, local.id, &accepted).await?;
    changes::record(conn, ctx.pair.integrations(), entity, Operation::Created, version).await?;
    sync_links::record_inbound(conn, ctx.integration(), entity, &remote.external_id, ctx.mark(), Some(version)).await?;
    let detail = format!(
        "{} {} was deleted by an event {} does not confirm ({} {} lives on): restored as version {version}",
        C::NOUN,
        local.id,
        ctx.pair.source().display_name(),
        ctx.outside(),
        remote.external_id
    );
    Ok(Outcome::applied(Effect::Restored, detail))
}

/// A live outside record of ours (the link's record, or carrying our id and
/// nothing else linked) whose entity was deleted here: the delete did not
/// reach it, and is queued again.
async fn resend_delete<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: &RemoteRecord<C::Remote>,
    local: &Local<C::Record>,
    entity: &EntityRef,
    link: &SyncLink,
) -> Result<Option<Outcome>, SyncError> {
    let integration = ctx.integration();
    match link.external_id.as_deref() {
        Some(linked) if linked != remote.external_id => return Ok(None),
        Some(_) => {}
        None => sync_links::adopt(conn, integration, entity, &remote.external_id).await?,
    }
    requeue(conn, integration, entity, Operation::Deleted, local.version, (local.version - 1).min(link.synced_version)).await?;
    let detail = format!(
        "{} {} was deleted here, but {} {} lives on: the delete will be sent again",
        C::NOUN,
        local.id,
        ctx.outside(),
        remote.external_id
    );
    Ok(Some(Outcome::requeued(local.id, Operation::Deleted, detail)))
}

/// Queues `version` for this integration alone, with the link fallen back
/// so that the worker does not take it as written already.
async fn requeue(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
    operation: Operation,
    version: i64,
    fall_back: i64,
) -> Result<(), SyncError> {
    changes::record(conn, &[integration.to_owned()], entity, operation, version).await?;
    sync_links::mark_outdated(conn, integration, entity, fall_back).await?;
    Ok(())
}

impl Outcome {
    fn requeued(entity: uuid::Uuid, operation: Operation, detail: String) -> Self {
        Self {
            status: shared_models::db::inbound_events::InboundStatus::Applied,
            effect: Some(Effect::Requeued { entity, operation }),
            detail,
        }
    }
}
