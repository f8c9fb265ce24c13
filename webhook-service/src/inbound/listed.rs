//! What only a read of Stripe's current state can show (a reconcile), never
//! an event: Stripe holding something other than the catalog while the
//! link says it is in sync. A write of ours may have been lost, or an old
//! write may have landed after a newer one (before writes were journaled,
//! or where keys were forgotten). The catalog's latest version is then
//! queued to be written again; the worker sends it as a new write.

use diesel_async::AsyncPgConnection;
use shared_models::db::customers::Customer;
use shared_models::db::sync_links::{self, SyncLink};
use shared_models::db::{changes, sync_writes};
use shared_models::sync::{EntityRef, Operation};

use super::{Effect, Outcome, Source, STRIPE};
use crate::event::RemoteCustomer;
use crate::Error;

/// For a listed state of a live local customer: `Some` when Stripe holds
/// neither the catalog's values nor a person's edit made after our last
/// write, so the catalog's version must be written again.
pub(super) async fn outdated_live(
    conn: &mut AsyncPgConnection,
    source: Source,
    remote: &RemoteCustomer,
    local: &Customer,
    link: &SyncLink,
) -> Result<Option<Outcome>, Error> {
    let entity = EntityRef::customer(local.id);
    if source != Source::Listed || sync_writes::find(conn, STRIPE, &entity).await?.is_some() {
        // Events are ordered by the rules; a write in doubt is the worker's.
        return Ok(None);
    }
    if remote.name.as_deref() == Some(local.name.as_str()) && remote.email.as_deref() == Some(local.email.as_str()) {
        return Ok(None);
    }
    let written = remote.written_version();
    let holds_our_last_write = written == link.pushed_version && remote.fingerprint() == link.pushed_fingerprint;
    // Stripe holds an older write of ours than the last one it answered,
    // or exactly our last write while the link says it holds a later one.
    let lost = written < link.pushed_version || (holds_our_last_write && link.synced_version >= local.version);
    if !lost {
        return Ok(None);
    }
    let fall_back = written.min(local.version - 1).min(link.synced_version);
    requeue(conn, &entity, Operation::Updated, local.version, fall_back).await?;
    let detail = format!(
        "Stripe holds version {written} of customer {}, not version {} that the link records: version {} will be written again",
        local.id, link.synced_version, local.version
    );
    Ok(Some(Outcome::requeued(local.id, Operation::Updated, detail)))
}

/// For a listed live Stripe customer of a customer deleted here: ours (the
/// link's record, or carrying our id and nothing else linked), so the
/// delete did not reach it; it is queued again.
pub(super) async fn outdated_deleted(
    conn: &mut AsyncPgConnection,
    source: Source,
    remote: &RemoteCustomer,
    local: &Customer,
) -> Result<Option<Outcome>, Error> {
    let entity = EntityRef::customer(local.id);
    if source != Source::Listed || remote.deleted || sync_writes::find(conn, STRIPE, &entity).await?.is_some() {
        return Ok(None);
    }
    let link = sync_links::lock(conn, STRIPE, &entity).await?;
    match link.external_id.as_deref() {
        Some(linked) if linked != remote.id => return Ok(None),
        Some(_) => {}
        None => sync_links::adopt(conn, STRIPE, &entity, &remote.id).await?,
    }
    requeue(conn, &entity, Operation::Deleted, local.version, (local.version - 1).min(link.synced_version)).await?;
    let detail =
        format!("customer {} was deleted here, but Stripe customer {} lives on: the delete will be sent again", local.id, remote.id);
    Ok(Some(Outcome::requeued(local.id, Operation::Deleted, detail)))
}

/// Queues `version` for Stripe alone, with the link fallen back so that the
/// worker does not take it as written already.
async fn requeue(
    conn: &mut AsyncPgConnection,
    entity: &EntityRef,
    operation: Operation,
    version: i64,
    fall_back: i64,
) -> Result<(), Error> {
    changes::record(conn, &[STRIPE.to_owned()], entity, operation, version).await?;
    sync_links::mark_outdated(conn, STRIPE, entity, fall_back).await?;
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
