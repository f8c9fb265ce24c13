//! An outside change of an entity that a local one stands for.
//!
//! Order: each link keeps a high-water mark, the `created` of the newest
//! event taken into account, and an older event changes nothing. Two events
//! of the same second cannot be ordered by `created`, so then the
//! integration's current state of the record is read and applied instead.
//!
//! Echo: every write of ours carries the local version in the outside
//! record, and the link keeps that version and a fingerprint of what was
//! written; the write still in doubt (`sync_writes`) counts too, since its
//! event may come before the integration's answer does. An event carrying
//! exactly that is our own write coming back; one carrying an older version
//! was overwritten there by a later write of ours. Neither changes anything.
//!
//! Conflicts: an outside change made on top of our latest write and a local
//! edit not yet written there: the later one wins, by the second it was
//! made (a local edit in the same second wins), unless the integration
//! refused to take that local edit for a change of its own (a read then
//! follows: `Origin::Superseded`). A delete on either side is final and
//! beats any edit.

use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use shared_models::db::sync_conflicts::{self, NewSyncConflict};
use shared_models::db::{changes, sync_links, sync_writes};
use shared_models::sync::{EntityRef, Operation};
use uuid::Uuid;

use super::{checks, listed, unknown, Effect, Envelope, Inward, InwardCatalog, Local, Origin, Outcome, RemoteRecord, Source};
use crate::SyncError;

/// What one application of an outside state knows.
pub(crate) struct Ctx<'a, C: InwardCatalog, S: Source<C>> {
    pub(crate) pair: &'a Inward<C, S>,
    pub(crate) event: &'a Envelope,
    pub(crate) origin: Origin,
    /// The integration's current state of the record, read before any lock
    /// was taken when the event looked like a same-second one.
    pub(crate) current: Option<RemoteRecord<C::Remote>>,
}

impl<C: InwardCatalog, S: Source<C>> Ctx<'_, C, S> {
    pub(crate) fn mark(&self) -> (i64, &str) {
        (self.event.created, self.event.id.as_str())
    }
    pub(crate) fn integration(&self) -> &'static str {
        self.pair.source().integration()
    }
    /// "Stripe customer": how the outside record is named in what we record.
    pub(crate) fn outside(&self) -> String {
        format!("{} {}", self.pair.source().display_name(), C::NOUN)
    }
    pub(crate) fn entity(id: Uuid) -> EntityRef {
        EntityRef { entity_type: C::ENTITY_TYPE, id }
    }
}

pub(crate) async fn apply<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    pair: &Inward<C, S>,
    event: &Envelope,
    remote: RemoteRecord<C::Remote>,
    origin: Origin,
) -> Result<Outcome, SyncError> {
    let integration = pair.source().integration();
    let read_now = reads_now(pair, origin);
    let mut remote = if read_now { checks::current_if_event_is_a_sign(conn, pair, remote).await? } else { remote };
    let current = if read_now { None } else { checks::current_if_same_second(conn, pair, event, &remote).await? };
    // Events of one outside record are applied one at a time, also across
    // processes; this is what keeps two events of a new record from
    // creating it twice.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("{integration}:{}:{}", C::ENTITY_TYPE, remote.external_id))
        .execute(conn)
        .await?;
    C::resolve(conn, integration, &mut remote.values).await?;
    let ctx = Ctx { pair, event, origin, current };
    let by_link = sync_links::find_by_external(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    let local = match by_link.map(|l| l.entity_id).or(remote.our_id) {
        Some(id) => C::lock(conn, id).await?,
        None => None,
    };
    match local {
        None => unknown::apply(conn, &ctx, remote).await,
        Some(local) if local.deleted => match listed::deleted_here(conn, &ctx, &remote, &local).await? {
            Some(repaired) => Ok(repaired),
            None => Ok(Outcome::skipped(format!("{} {} was deleted here, and a delete is final", C::NOUN, local.id))),
        },
        Some(local) => known(conn, &ctx, remote, local).await,
    }
}

/// Whether the state applied was read from the integration for this event
/// (`Source::reads_current_state`): current already, whatever its second.
fn reads_now<C: InwardCatalog, S: Source<C>>(pair: &Inward<C, S>, origin: Origin) -> bool {
    origin == Origin::Event && pair.source().reads_current_state()
}

/// An outside record linked to (or carrying the id of) a live local entity.
pub(crate) async fn known<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    mut remote: RemoteRecord<C::Remote>,
    local: Local<C::Record>,
) -> Result<Outcome, SyncError> {
    let integration = ctx.integration();
    let entity = Ctx::<C, S>::entity(local.id);
    let link = sync_links::lock(conn, integration, &entity).await?;
    if let Some(linked) = link.external_id.as_deref().filter(|linked| *linked != remote.external_id) {
        if remote.deleted {
            // A record it no longer stands for (merged away and relinked, say).
            return Ok(Outcome::skipped(format!("{} {} is linked to {} {linked} now", C::NOUN, local.id, ctx.outside())));
        }
        let problem = format!("{} {} is already linked to {} {linked}", C::NOUN, local.id, ctx.outside());
        return reject(conn, ctx, &remote, Some(local.id), problem).await;
    }
    if remote.deleted {
        if let Some(master) = remote.merged_into.clone() {
            return super::merged::relink(conn, ctx, &remote, local, &entity, &master).await;
        }
        return super::deleted::delete_local(conn, ctx, &remote.external_id, &entity).await;
    }
    let mut note = String::new();
    if let (Some(at), Some(newest)) = (link.remote_event_at, link.remote_event_id.as_deref()) {
        if ctx.event.created < at {
            return Ok(Outcome::skipped(format!("older than event {newest}, already taken into account")));
        }
        if ctx.event.created == at && newest != ctx.event.id && !reads_now(ctx.pair, ctx.origin) {
            remote = match ctx.current.clone() {
                Some(current) => current,
                // The link moved since the look before the locks (rare): read it now.
                None => ctx.pair.source().get(&remote.external_id).await?,
            };
            C::resolve(conn, integration, &mut remote.values).await?;
            if remote.deleted {
                return super::deleted::delete_local(conn, ctx, &remote.external_id, &entity).await;
            }
            note = format!(" (same second as an earlier event: {}'s current state applied)", ctx.pair.source().display_name());
        }
    }
    C::mirror(conn, local.id, &remote.values).await?;
    if let Some(requeued) = listed::outdated_live(conn, ctx, &remote, &local, &link).await? {
        seen(conn, ctx, &entity, &remote.external_id, None).await?;
        return Ok(requeued);
    }
    let written = remote.written_version;
    if written < link.pushed_version {
        seen(conn, ctx, &entity, &remote.external_id, None).await?;
        let name = ctx.pair.source().display_name();
        return Ok(Outcome::skipped(format!("made before our write of version {}, which replaced it in {name}", link.pushed_version)));
    }
    // Our own write coming back: the version and the values we wrote, by
    // the last write the integration answered or by the one still in doubt
    // (which may land at any time, even after a newer local edit).
    let fingerprint = C::remote_fingerprint(&remote.values);
    let in_doubt = sync_writes::find(conn, integration, &entity).await?;
    let ours = |version: i64, written_fingerprint: Option<&str>| {
        written == version && written_fingerprint.is_some() && fingerprint.as_deref() == written_fingerprint
    };
    if ours(link.pushed_version, link.pushed_fingerprint.as_deref())
        || in_doubt.as_ref().is_some_and(|w| ours(w.entity_version, w.fingerprint.as_deref()))
    {
        seen(conn, ctx, &entity, &remote.external_id, None).await?;
        return Ok(Outcome::skipped(format!("echo of our own write of version {written}")));
    }
    let accepted = match C::accept(&remote.values) {
        Ok(accepted) => accepted,
        Err(problem) => {
            seen(conn, ctx, &entity, &remote.external_id, None).await?;
            return reject(conn, ctx, &remote, Some(local.id), problem).await;
        }
    };
    let name = ctx.pair.source().display_name();
    if C::agrees(&accepted, &local.record) {
        // The integration already holds the local values: nothing to write either way.
        seen(conn, ctx, &entity, &remote.external_id, Some(local.version)).await?;
        sync_conflicts::resolve(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
        return Ok(Outcome::skipped(format!("{name} holds the same values as version {}{note}", local.version)));
    }
    // A listed state carries no time of its change: the local edit, whose
    // time is known and which has not reached the integration yet, wins.
    // Compared on the integration's clock, which stamped its change.
    let edited_here = (local.updated_at + ctx.pair.source().clock_offset()).timestamp();
    let local_is_newer = match ctx.origin {
        Origin::Listed => true,
        // The integration refused that version for a later change of its own.
        Origin::Superseded(refused) => local.version > refused,
        Origin::Event => edited_here >= ctx.event.created,
    };
    if local.version > link.synced_version && local_is_newer {
        seen(conn, ctx, &entity, &remote.external_id, None).await?;
        let when = local.updated_at.to_rfc3339();
        return Ok(Outcome::skipped(format!("the local edit of {when} is newer and wins; it will be written to {name}")));
    }
    if let Some(owner) = C::owner(conn, &accepted, Some(local.id)).await? {
        seen(conn, ctx, &entity, &remote.external_id, None).await?;
        return reject(conn, ctx, &remote, Some(local.id), C::owned_problem(&accepted, owner)).await;
    }
    let version = C::update(conn, &local, &accepted).await?;
    changes::record(conn, ctx.pair.integrations(), &entity, Operation::Updated, version).await?;
    // The integration holds this version already: the worker has nothing to send back.
    sync_links::record_inbound(conn, integration, &entity, &remote.external_id, ctx.mark(), Some(version)).await?;
    sync_conflicts::resolve(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    Ok(Outcome::applied(Effect::Updated, format!("{} {} updated to version {version}{note}", C::NOUN, local.id)))
}

/// The event was taken into account (see `sync_links::record_inbound`).
async fn seen<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    entity: &EntityRef,
    external_id: &str,
    holds: Option<i64>,
) -> Result<(), SyncError> {
    Ok(sync_links::record_inbound(conn, ctx.integration(), entity, external_id, ctx.mark(), holds).await?)
}

/// Keeps the record and its problem (shown by the API); nothing else changes.
pub(crate) async fn reject<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: &RemoteRecord<C::Remote>,
    entity_id: Option<Uuid>,
    problem: String,
) -> Result<Outcome, SyncError> {
    let conflict = NewSyncConflict {
        integration: ctx.integration(),
        entity_type: C::ENTITY_TYPE,
        external_id: &remote.external_id,
        entity_id,
        problem: &problem,
        remote: &remote.snapshot,
        event_id: &ctx.event.id,
        event_created: ctx.event.created,
    };
    sync_conflicts::upsert(conn, &conflict).await?;
    log::warn!("{} {} not taken in: {problem}", ctx.outside(), remote.external_id);
    Ok(Outcome::rejected(problem))
}
