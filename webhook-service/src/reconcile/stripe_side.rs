//! Phases 1 and 2: Stripe's state applied to the catalog.

use std::collections::HashSet;

use serde_json::Value;
use shared_models::db::customers;
use shared_models::db::inbound_events::InboundStatus;
use shared_models::error::Context;
use uuid::Uuid;

use super::{Phase, Progress, Reconciler, Summary, LOCAL_PAGE, PAGE};
use crate::inbound::{Effect, Outcome, STRIPE};
use crate::Error;

/// Applies every listed Stripe customer; returns the ids seen.
pub(super) async fn read_list(
    r: &Reconciler,
    summary: &mut Summary,
    requeued: &mut HashSet<Uuid>,
    progress: &dyn Progress,
) -> Result<HashSet<String>, Error> {
    summary.phase = Phase::StripeList;
    progress.report(summary);
    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        // Taken before the read: the page holds every change made before it.
        let read_at = chrono::Utc::now().timestamp();
        let page = r.applier.api().customers_page(after.as_deref(), PAGE).await.map_err(Error::Stripe)?;
        for customer in &page.items {
            let Some(id) = customer.get("id").and_then(Value::as_str) else { continue };
            if id.chars().any(char::is_control) {
                // No Stripe id is like that, and nothing could be keyed by it.
                log::warn!("reconcile: skipping a listed Stripe customer whose id holds control characters: {id:?}");
                continue;
            }
            seen.insert(id.to_owned());
            apply(r, summary, requeued, id, customer, read_at).await?;
        }
        progress.report(summary);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(seen),
        }
    }
}

/// Reads the linked live customers the list did not show: Stripe does not
/// list deleted customers, so this is where deletes made there are found.
pub(super) async fn read_missing(
    r: &Reconciler,
    seen: &HashSet<String>,
    summary: &mut Summary,
    requeued: &mut HashSet<Uuid>,
    progress: &dyn Progress,
) -> Result<(), Error> {
    summary.phase = Phase::StripeMissing;
    progress.report(summary);
    let mut after = None;
    loop {
        let links = {
            let mut conn = r.pool.get().await.context("checking out a connection for reconcile")?;
            customers::linked_live(&mut conn, STRIPE, after, LOCAL_PAGE).await?
        };
        let Some((last, _)) = links.last() else { return Ok(()) };
        after = Some(*last);
        for (_, external_id) in links.iter().filter(|(_, id)| !seen.contains(id)) {
            let read_at = chrono::Utc::now().timestamp();
            let remote = r.applier.api().customer(external_id).await.map_err(Error::Stripe)?;
            apply(r, summary, requeued, external_id, &remote.to_json(), read_at).await?;
        }
        progress.report(summary);
    }
}

/// Applies one listed customer; notes the local customers queued again, which
/// the local phase then leaves alone (they are counted once).
async fn apply(
    r: &Reconciler,
    summary: &mut Summary,
    requeued: &mut HashSet<Uuid>,
    id: &str,
    customer: &Value,
    read_at: i64,
) -> Result<(), Error> {
    let applier = &r.applier;
    let outcome: Outcome = r.step(summary.dry_run, async |conn| applier.apply_listed_customer(conn, customer, read_at).await).await?;
    if outcome.status != InboundStatus::Skipped {
        let prefix = if summary.dry_run { "dry run: " } else { "" };
        log::info!("reconcile: {prefix}Stripe customer {id}: {} ({})", outcome.status.as_str(), outcome.detail);
    }
    summary.checked.stripe += 1;
    super::count(summary, &outcome);
    if let Some(Effect::Requeued { entity, .. }) = outcome.effect {
        requeued.insert(entity);
    }
    Ok(())
}
