//! Outside records no local entity stands for yet: taken in as new
//! entities, linked by their key to a local entity that never reached the
//! integration, or kept out (deleted there, or breaking a local rule).

use diesel_async::AsyncPgConnection;
use shared_models::db::remote_deletions::{self, RemoteDeletion};
use shared_models::db::{changes, create_attempts, sync_conflicts, sync_links};
use shared_models::sync::Operation;
use uuid::Uuid;

use super::rules::{reject, Ctx};
use super::{Effect, InwardCatalog, Outcome, RemoteRecord, Source};
use crate::SyncError;

/// An outside record no local entity stands for (yet).
pub(super) async fn apply<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: RemoteRecord<C::Remote>,
) -> Result<Outcome, SyncError> {
    let integration = ctx.integration();
    let name = ctx.pair.source().display_name();
    if remote.deleted {
        sync_conflicts::resolve(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
        // Remembered: an older event of it may still arrive (its create
        // found by the poller after this delete came by webhook).
        let deletion = RemoteDeletion {
            integration: integration.to_owned(),
            entity_type: C::ENTITY_TYPE.to_owned(),
            external_id: remote.external_id.clone(),
            event_id: ctx.event.id.clone(),
            event_created: ctx.event.created,
        };
        remote_deletions::record(conn, &deletion).await?;
        return Ok(Outcome::skipped(format!("no local {} stands for it: nothing to delete", C::NOUN)));
    }
    if let Some(deletion) = remote_deletions::find(conn, integration, C::ENTITY_TYPE, &remote.external_id).await? {
        return Ok(Outcome::skipped(format!("deleted in {name} (event {}), and a delete is final", deletion.event_id)));
    }
    if let Some(conflict) = sync_conflicts::find(conn, integration, C::ENTITY_TYPE, &remote.external_id).await? {
        if conflict.event_created > ctx.event.created {
            return Ok(Outcome::skipped(format!("older than event {}, already taken into account", conflict.event_id)));
        }
    }
    let accepted = match C::accept(&remote.values) {
        Ok(accepted) => accepted,
        Err(problem) => return reject(conn, ctx, &remote, None, problem).await,
    };
    if let Some(owner) = C::owner(conn, &accepted, None).await? {
        if let Some(linked) = link_by_key(conn, ctx, &remote, owner).await? {
            return Ok(linked);
        }
        return reject(conn, ctx, &remote, None, C::owned_problem(&accepted, owner)).await;
    }
    // An outside record carrying an id of ours that names nothing here (a
    // restored database, say) keeps that id.
    let (id, version) = C::insert(conn, remote.our_id, &accepted).await?;
    let entity = Ctx::<C, S>::entity(id);
    changes::record(conn, ctx.pair.integrations(), &entity, Operation::Created, version).await?;
    sync_links::record_inbound(conn, integration, &entity, &remote.external_id, ctx.mark(), Some(version)).await?;
    sync_conflicts::resolve(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    Ok(Outcome::applied(Effect::Created, format!("{} {id} created from {} {}", C::NOUN, ctx.outside(), remote.external_id)))
}

/// An outside record unknown here whose key a local entity has that never
/// reached the integration (an initial import, or an entity made on both
/// sides): they are the same entity, so they are linked, not doubled. The
/// local values win; the worker writes them there. `None` when the local
/// entity is linked already or a create of it may have reached the
/// integration (linking then could leave a double there).
async fn link_by_key<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: &RemoteRecord<C::Remote>,
    owner: Uuid,
) -> Result<Option<Outcome>, SyncError> {
    let integration = ctx.integration();
    let Some(local) = C::lock(conn, owner).await? else { return Ok(None) };
    let entity = Ctx::<C, S>::entity(local.id);
    let link = sync_links::lock(conn, integration, &entity).await?;
    if link.external_id.is_some() || !create_attempts::lookup_keys(conn, integration, &entity).await?.is_empty() {
        return Ok(None);
    }
    let same = C::holds(&remote.values, &local.record);
    sync_links::record_inbound(conn, integration, &entity, &remote.external_id, ctx.mark(), same.then_some(local.version)).await?;
    sync_conflicts::resolve(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    let name = ctx.pair.source().display_name();
    let why = if same { "same values".to_owned() } else { format!("the local values win and will be written to {name}") };
    let detail = format!("{} {} linked to {} {} by {} ({why})", C::NOUN, local.id, ctx.outside(), remote.external_id, C::KEY);
    Ok(Some(Outcome::applied(Effect::Linked, detail)))
}
