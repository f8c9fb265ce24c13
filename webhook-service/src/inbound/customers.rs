//! Stripe's customer events applied to the customer catalog.
//!
//! Order: each link keeps a high-water mark, the `created` of the newest
//! event taken into account, and an older event changes nothing. Two events
//! of the same second cannot be ordered by `created`, so then Stripe's
//! current state of the customer is fetched and applied instead.
//!
//! Echo: every write of ours carries the local version in the Stripe
//! customer's metadata, and the link keeps that version and a fingerprint
//! of what was written; the write still in doubt (`sync_writes`) counts
//! too, since its event may come before Stripe's answer does. An event
//! carrying exactly that is our own write coming back; one carrying an
//! older version was overwritten in Stripe by a later write of ours.
//! Neither changes anything here.
//!
//! Conflicts: a Stripe change made on top of our latest write and a local
//! edit not yet written to Stripe: the later one wins, by the second it was
//! made (a local edit in the same second wins). A delete on either side is
//! final and beats any edit.

use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use shared_models::db::customers::{self, Customer, CustomerChanges};
use shared_models::db::sync_conflicts::{self, NewSyncConflict};
use shared_models::db::{changes, sync_links, sync_writes};
use shared_models::sync::{EntityRef, Operation, CUSTOMER};
use uuid::Uuid;

use super::remote_checks::{current_if_same_second, email_owner, local_values};
use super::{listed, new_customers, Applier, Effect, Outcome, Source, STRIPE};
use crate::event::{RemoteCustomer, StripeEvent};
use crate::Error;

pub(super) struct Ctx<'a> {
    pub(super) applier: &'a Applier,
    pub(super) event: &'a StripeEvent,
    pub(super) source: Source,
    /// Stripe's current state of the customer, read before any lock was
    /// taken when the event looked like a same-second one.
    pub(super) current: Option<RemoteCustomer>,
}

impl Ctx<'_> {
    pub(super) fn mark(&self) -> (i64, &str) {
        (self.event.created, self.event.id.as_str())
    }
}

pub async fn apply(conn: &mut AsyncPgConnection, applier: &Applier, event: &StripeEvent, source: Source) -> Result<Outcome, Error> {
    let remote = RemoteCustomer::from_value(&event.data.object).map_err(|e| Error::BadPayload(e.to_string()))?;
    let current = current_if_same_second(conn, applier, event, &remote).await?;
    // Events of one Stripe customer are applied one at a time, also across
    // processes; this is what keeps two events of a new customer from
    // creating it twice.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("{STRIPE}:{CUSTOMER}:{}", remote.id))
        .execute(conn)
        .await?;
    let ctx = Ctx { applier, event, source, current };
    let by_link = sync_links::find_by_external(conn, STRIPE, CUSTOMER, &remote.id).await?;
    let local_id = by_link.map(|l| l.entity_id).or(remote.our_id());
    let local = match local_id {
        Some(id) => customers::find_for_update(conn, id).await?,
        None => None,
    };
    let deleted = event.event_type == "customer.deleted" || remote.deleted;
    match local {
        None => new_customers::unknown(conn, &ctx, remote, deleted).await,
        Some(local) if local.deleted_at.is_some() => match listed::outdated_deleted(conn, source, &remote, &local).await? {
            Some(requeued) => Ok(requeued),
            None => Ok(Outcome::skipped(format!("customer {} was deleted here, and a delete is final", local.id))),
        },
        Some(local) => known(conn, &ctx, remote, local, deleted).await,
    }
}

/// A Stripe customer linked to (or carrying the id of) a live local customer.
async fn known(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_>,
    mut remote: RemoteCustomer,
    local: Customer,
    deleted: bool,
) -> Result<Outcome, Error> {
    let entity = EntityRef::customer(local.id);
    let link = sync_links::lock(conn, STRIPE, &entity).await?;
    if let Some(linked) = link.external_id.as_deref().filter(|linked| *linked != remote.id) {
        let problem = format!("customer {} is already linked to Stripe customer {linked}", local.id);
        return reject(conn, ctx, &remote, Some(local.id), problem).await;
    }
    if deleted {
        return delete_local(conn, ctx, &remote, &entity).await;
    }
    let mut note = "";
    if let (Some(at), Some(newest)) = (link.remote_event_at, link.remote_event_id.as_deref()) {
        if ctx.event.created < at {
            return Ok(Outcome::skipped(format!("older than event {newest}, already taken into account")));
        }
        if ctx.event.created == at && newest != ctx.event.id {
            remote = match ctx.current.clone() {
                Some(current) => current,
                // The link moved since the look before the locks (rare): read it now.
                None => ctx.applier.api.customer(&remote.id).await.map_err(Error::Stripe)?,
            };
            if remote.deleted {
                return delete_local(conn, ctx, &remote, &entity).await;
            }
            note = " (same second as an earlier event: Stripe's current state applied)";
        }
    }

    if let Some(requeued) = listed::outdated_live(conn, ctx.source, &remote, &local, &link).await? {
        sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), None).await?;
        return Ok(requeued);
    }
    let written = remote.written_version();
    if written < link.pushed_version {
        sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), None).await?;
        let why = format!("made before our write of version {}, which replaced it in Stripe", link.pushed_version);
        return Ok(Outcome::skipped(why));
    }
    // Our own write coming back: the version and the values we wrote, by
    // the last write Stripe answered or by the one still in doubt (which
    // may land at any time, even after a newer local edit).
    let fingerprint = remote.fingerprint();
    let in_doubt = sync_writes::find(conn, STRIPE, &entity).await?;
    let ours = |version: i64, written_fingerprint: Option<&str>| {
        written == version && written_fingerprint.is_some() && fingerprint.as_deref() == written_fingerprint
    };
    if ours(link.pushed_version, link.pushed_fingerprint.as_deref())
        || in_doubt.as_ref().is_some_and(|w| ours(w.entity_version, w.fingerprint.as_deref()))
    {
        sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), None).await?;
        return Ok(Outcome::skipped(format!("echo of our own write of version {written}")));
    }
    let (name, email) = match local_values(&remote) {
        Ok(values) => values,
        Err(problem) => {
            sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), None).await?;
            return reject(conn, ctx, &remote, Some(local.id), problem).await;
        }
    };
    if name.as_str() == local.name && email.as_str() == local.email {
        // Stripe already holds the local values: nothing to write either way.
        sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), Some(local.version)).await?;
        sync_conflicts::resolve(conn, STRIPE, CUSTOMER, &remote.id).await?;
        return Ok(Outcome::skipped(format!("Stripe holds the same values as version {}{note}", local.version)));
    }
    // A listed state carries no time of its change: the local edit, whose
    // time is known and which has not reached Stripe yet, wins.
    let local_is_newer = ctx.source == Source::Listed || local.updated_at.timestamp() >= ctx.event.created;
    if local.version > link.synced_version && local_is_newer {
        sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), None).await?;
        let why = format!("the local edit of {} is newer and wins; it will be written to Stripe", local.updated_at.to_rfc3339());
        return Ok(Outcome::skipped(why));
    }
    if let Some(owner) = email_owner(conn, &email, Some(local.id)).await? {
        sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), None).await?;
        return reject(conn, ctx, &remote, Some(local.id), format!("email {} is already used by customer {owner}", email.as_str())).await;
    }
    let changes = CustomerChanges {
        name: Some(name.as_str()).filter(|n| *n != local.name),
        email: Some(email.as_str()).filter(|e| *e != local.email),
    };
    let updated = customers::update(conn, local.id, &changes).await?;
    changes::record(conn, &ctx.applier.integrations, &entity, Operation::Updated, updated.version).await?;
    // Stripe holds this version already: the worker has nothing to send back.
    sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), Some(updated.version)).await?;
    sync_conflicts::resolve(conn, STRIPE, CUSTOMER, &remote.id).await?;
    Ok(Outcome::applied(Effect::Updated, format!("customer {} updated to version {}{note}", local.id, updated.version)))
}

async fn delete_local(conn: &mut AsyncPgConnection, ctx: &Ctx<'_>, remote: &RemoteCustomer, entity: &EntityRef) -> Result<Outcome, Error> {
    let deleted = customers::soft_delete(conn, entity.id).await?;
    changes::record(conn, &ctx.applier.integrations, entity, Operation::Deleted, deleted.version).await?;
    sync_links::record_inbound(conn, STRIPE, entity, &remote.id, ctx.mark(), Some(deleted.version)).await?;
    sync_conflicts::resolve(conn, STRIPE, CUSTOMER, &remote.id).await?;
    Ok(Outcome::applied(Effect::Deleted, format!("customer {} deleted, as in Stripe", entity.id)))
}

/// Keeps the record and its problem (shown by the API); nothing else changes.
pub(super) async fn reject(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_>,
    remote: &RemoteCustomer,
    entity_id: Option<Uuid>,
    problem: String,
) -> Result<Outcome, Error> {
    let snapshot = remote.to_json();
    let conflict = NewSyncConflict {
        integration: STRIPE,
        entity_type: CUSTOMER,
        external_id: &remote.id,
        entity_id,
        problem: &problem,
        remote: &snapshot,
        event_id: &ctx.event.id,
        event_created: ctx.event.created,
    };
    sync_conflicts::upsert(conn, &conflict).await?;
    log::warn!("Stripe customer {} not taken in: {problem}", remote.id);
    Ok(Outcome::rejected(problem))
}
