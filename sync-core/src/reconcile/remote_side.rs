//! Phases 1 and 2: the integration's state applied to the catalog.

use std::collections::HashSet;

use shared_models::db::inbound_events::InboundStatus;
use shared_models::db::sync_conflicts::{self, NewSyncConflict};
use shared_models::error::Context;
use uuid::Uuid;

use super::{Phase, Progress, Reconciler, Summary, LOCAL_PAGE};
use crate::inward::{Effect, Inward, InwardCatalog, InwardPair, RemoteRecord, Source};
use crate::SyncError;

/// Applies every listed outside record; returns the ids seen.
pub(super) async fn read_list<C: InwardCatalog, S: Source<C>>(
    r: &Reconciler,
    pair: &Inward<C, S>,
    summary: &mut Summary,
    requeued: &mut HashSet<Uuid>,
    progress: &dyn Progress,
) -> Result<HashSet<String>, SyncError> {
    summary.phase = Phase::RemoteList;
    progress.report(summary);
    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        // Taken before the read: the page holds every change made before it.
        let read_at = pair.source().now();
        let page = pair.source().list_page(after.as_deref()).await?;
        for remote in page.records {
            if remote.external_id.chars().any(char::is_control) {
                // No outside id is like that, and nothing could be keyed by it.
                log::warn!("reconcile: skipping a listed {} whose id holds control characters: {:?}", pair.outside(), remote.external_id);
                continue;
            }
            seen.insert(remote.external_id.clone());
            apply(r, pair, summary, requeued, remote, read_at).await?;
        }
        progress.report(summary);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(seen),
        }
    }
}

/// Reads the linked live entities the list did not show: integrations do
/// not list deleted records, so this is where deletes made there are found.
pub(super) async fn read_missing<C: InwardCatalog, S: Source<C>>(
    r: &Reconciler,
    pair: &Inward<C, S>,
    seen: &HashSet<String>,
    summary: &mut Summary,
    requeued: &mut HashSet<Uuid>,
    progress: &dyn Progress,
) -> Result<(), SyncError> {
    summary.phase = Phase::RemoteMissing;
    progress.report(summary);
    let mut after = None;
    loop {
        let links = {
            let mut conn = r.pool.get().await.context("checking out a connection for reconcile")?;
            C::linked_live(&mut conn, pair.source().integration(), after, LOCAL_PAGE).await?
        };
        let Some((last, _)) = links.last() else { return Ok(()) };
        after = Some(*last);
        for (entity_id, external_id) in links.iter().filter(|(_, id)| !seen.contains(id)) {
            let read_at = pair.source().now();
            match pair.source().get(external_id).await {
                Ok(remote) => apply(r, pair, summary, requeued, remote, read_at).await?,
                // Not listed, and not said to be deleted: kept, and shown.
                Err(SyncError::Missing { message }) => missing(r, pair, summary, *entity_id, external_id, &message, read_at).await?,
                Err(e) => return Err(e),
            }
        }
        progress.report(summary);
    }
}

/// A linked entity whose outside record the integration neither lists nor
/// says was deleted: nothing is deleted; the problem is recorded on it.
async fn missing<C: InwardCatalog, S: Source<C>>(
    r: &Reconciler,
    pair: &Inward<C, S>,
    summary: &mut Summary,
    entity_id: Uuid,
    external_id: &str,
    why: &str,
    read_at: i64,
) -> Result<(), SyncError> {
    let integration = pair.source().integration();
    let remote = serde_json::json!({"id": external_id, "read": "not found"});
    let event_id = format!("list_{read_at}");
    let conflict = NewSyncConflict {
        integration,
        entity_type: C::ENTITY_TYPE,
        external_id,
        entity_id: Some(entity_id),
        problem: why,
        remote: &remote,
        event_id: &event_id,
        event_created: read_at,
    };
    r.step(summary.dry_run, async |conn| Ok(sync_conflicts::upsert(conn, &conflict).await?)).await?;
    let prefix = if summary.dry_run { "dry run: " } else { "" };
    log::warn!("reconcile: {prefix}{} {external_id} of {} {entity_id}: {why}", pair.outside(), C::NOUN);
    summary.checked.remote += 1;
    summary.missing += 1;
    Ok(())
}

/// Applies one listed record; notes the local entities queued again, which
/// the local phase then leaves alone (they are counted once).
async fn apply<C: InwardCatalog, S: Source<C>>(
    r: &Reconciler,
    pair: &Inward<C, S>,
    summary: &mut Summary,
    requeued: &mut HashSet<Uuid>,
    remote: RemoteRecord<C::Remote>,
    read_at: i64,
) -> Result<(), SyncError> {
    let id = remote.external_id.clone();
    let outcome = r.step(summary.dry_run, async |conn| pair.apply_listed(conn, remote, read_at).await).await?;
    if outcome.status != InboundStatus::Skipped {
        let prefix = if summary.dry_run { "dry run: " } else { "" };
        log::info!("reconcile: {prefix}{} {id}: {} ({})", pair.outside(), outcome.status.as_str(), outcome.detail);
    }
    summary.checked.remote += 1;
    super::count(summary, &outcome);
    if let Some(Effect::Requeued { entity, .. }) = outcome.effect {
        requeued.insert(entity);
    }
    Ok(())
}
