//! Phase 3: the catalog's changes that the integration does not hold yet
//! are queued again. The worker writes each like any edit: versions make a duplicate
//! of a message still on its way harmless.

use std::collections::HashSet;

use shared_models::db::{changes, create_attempts, sync_links};
use shared_models::error::Context;
use shared_models::sync::{EntityRef, Operation};
use uuid::Uuid;

use super::{Phase, Progress, Reconciler, Summary, LOCAL_PAGE};
use crate::inward::{Inward, InwardCatalog, Source};
use crate::SyncError;

/// `requeued`: entities the outside phases queued already.
pub(super) async fn queue_lagging<C: InwardCatalog, S: Source<C>>(
    r: &Reconciler,
    pair: &Inward<C, S>,
    requeued: &HashSet<Uuid>,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> Result<(), SyncError> {
    let integration = pair.source().integration();
    let name = pair.source().display_name();
    summary.phase = Phase::Local;
    progress.report(summary);
    let mut after = None;
    loop {
        let (page, mut links) = {
            let mut conn = r.pool.get().await.context("checking out a connection for reconcile")?;
            let page = C::page(&mut conn, after, LOCAL_PAGE).await?;
            let ids: Vec<_> = page.iter().map(|c| c.id).collect();
            (page, sync_links::for_entities(&mut conn, C::ENTITY_TYPE, &ids).await?)
        };
        let Some(last) = page.last() else { return Ok(()) };
        after = Some(last.id);
        for entity_version in &page {
            summary.checked.local += 1;
            if requeued.contains(&entity_version.id) {
                // Queued and counted by an outside phase already.
                continue;
            }
            let link = links.remove(&entity_version.id).unwrap_or_default().into_iter().find(|l| l.integration == integration);
            if link.as_ref().is_some_and(|l| l.synced_version >= entity_version.version) {
                continue;
            }
            let external_id = link.and_then(|l| l.external_id);
            let entity = EntityRef { entity_type: C::ENTITY_TYPE, id: entity_version.id };
            let operation = match (entity_version.deleted, external_id.is_some()) {
                (true, true) => Operation::Deleted,
                (true, false) => {
                    // Deleted before it reached the integration: unless a create
                    // of it was attempted, nothing there stands for it.
                    let mut conn = r.pool.get().await.context("checking out a connection for reconcile")?;
                    if create_attempts::lookup_keys(&mut conn, integration, &entity).await?.is_empty() {
                        continue;
                    }
                    Operation::Deleted
                }
                (false, true) => Operation::Updated,
                (false, false) => Operation::Created,
            };
            let version = entity_version.version;
            r.step(summary.dry_run, async |conn| Ok(changes::record(conn, &[integration.to_owned()], &entity, operation, version).await?))
                .await?;
            let prefix = if summary.dry_run { "dry run: " } else { "" };
            log::info!("reconcile: {prefix}{} {} version {version} queued for {name} ({})", C::NOUN, entity_version.id, operation.as_str());
            match operation {
                Operation::Created => summary.remote.created += 1,
                Operation::Updated => summary.remote.updated += 1,
                Operation::Deleted => summary.remote.deleted += 1,
            }
        }
        progress.report(summary);
    }
}
