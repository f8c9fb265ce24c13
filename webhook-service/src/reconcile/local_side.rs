//! Phase 3: the catalog's changes that Stripe does not hold yet are queued
//! again. The worker writes each like any edit: versions make a duplicate
//! of a message still on its way harmless.

use std::collections::HashSet;

use shared_models::db::{changes, create_attempts, customers, sync_links};
use shared_models::error::Context;
use shared_models::sync::{EntityRef, Operation, CUSTOMER};

use super::{Phase, Progress, Reconciler, Summary, LOCAL_PAGE};
use crate::inbound::STRIPE;
use crate::Error;
use uuid::Uuid;

/// `requeued`: customers the Stripe phases queued already.
pub(super) async fn queue_lagging(
    r: &Reconciler,
    requeued: &HashSet<Uuid>,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> Result<(), Error> {
    summary.phase = Phase::Local;
    progress.report(summary);
    let mut after = None;
    loop {
        let (page, mut links) = {
            let mut conn = r.pool.get().await.context("checking out a connection for reconcile")?;
            let page = customers::page_all(&mut conn, after, LOCAL_PAGE).await?;
            let ids: Vec<_> = page.iter().map(|c| c.id).collect();
            (page, sync_links::for_entities(&mut conn, CUSTOMER, &ids).await?)
        };
        let Some(last) = page.last() else { return Ok(()) };
        after = Some(last.id);
        for customer in &page {
            summary.checked.local += 1;
            if requeued.contains(&customer.id) {
                // Queued and counted by a Stripe phase already.
                continue;
            }
            let link = links.remove(&customer.id).unwrap_or_default().into_iter().find(|l| l.integration == STRIPE);
            if link.as_ref().is_some_and(|l| l.synced_version >= customer.version) {
                continue;
            }
            let external_id = link.and_then(|l| l.external_id);
            let entity = EntityRef::customer(customer.id);
            let operation = match (customer.deleted_at.is_some(), external_id.is_some()) {
                (true, true) => Operation::Deleted,
                (true, false) => {
                    // Deleted before it reached Stripe: unless a create of it
                    // was attempted, nothing there stands for it.
                    let mut conn = r.pool.get().await.context("checking out a connection for reconcile")?;
                    if create_attempts::lookup_keys(&mut conn, STRIPE, &entity).await?.is_empty() {
                        continue;
                    }
                    Operation::Deleted
                }
                (false, true) => Operation::Updated,
                (false, false) => Operation::Created,
            };
            let version = customer.version;
            r.step(summary.dry_run, async |conn| Ok(changes::record(conn, &[STRIPE.to_owned()], &entity, operation, version).await?))
                .await?;
            let prefix = if summary.dry_run { "dry run: " } else { "" };
            log::info!("reconcile: {prefix}customer {} version {version} queued for Stripe ({})", customer.id, operation.as_str());
            match operation {
                Operation::Created => summary.stripe.created += 1,
                Operation::Updated => summary.stripe.updated += 1,
                Operation::Deleted => summary.stripe.deleted += 1,
            }
        }
        progress.report(summary);
    }
}
