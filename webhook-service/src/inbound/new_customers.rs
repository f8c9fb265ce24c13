//! Stripe customers no local customer stands for yet: taken in as new
//! customers, linked by email to a local customer that never reached
//! Stripe, or kept out (deleted in Stripe, or breaking a local rule).

use diesel_async::AsyncPgConnection;
use shared_models::db::remote_deletions::{self, RemoteDeletion};
use shared_models::db::{changes, create_attempts, customers, sync_conflicts, sync_links};
use shared_models::domain::CustomerId;
use shared_models::sync::{EntityRef, Operation, CUSTOMER};
use uuid::Uuid;

use super::customers::{reject, Ctx};
use super::remote_checks::{email_owner, local_values};
use super::{Effect, Outcome, STRIPE};
use crate::event::RemoteCustomer;
use crate::Error;

/// A Stripe customer no local customer stands for (yet).
pub(super) async fn unknown(conn: &mut AsyncPgConnection, ctx: &Ctx<'_>, remote: RemoteCustomer, deleted: bool) -> Result<Outcome, Error> {
    if deleted {
        sync_conflicts::resolve(conn, STRIPE, CUSTOMER, &remote.id).await?;
        // Remembered: an older event of it may still arrive (its create
        // found by the poller after this delete came by webhook).
        let deletion = RemoteDeletion {
            integration: STRIPE.to_owned(),
            entity_type: CUSTOMER.to_owned(),
            external_id: remote.id.clone(),
            event_id: ctx.event.id.clone(),
            event_created: ctx.event.created,
        };
        remote_deletions::record(conn, &deletion).await?;
        return Ok(Outcome::skipped("no local customer stands for it: nothing to delete".into()));
    }
    if let Some(deletion) = remote_deletions::find(conn, STRIPE, CUSTOMER, &remote.id).await? {
        let why = format!("deleted in Stripe (event {}), and a delete is final", deletion.event_id);
        return Ok(Outcome::skipped(why));
    }
    if let Some(conflict) = sync_conflicts::find(conn, STRIPE, CUSTOMER, &remote.id).await? {
        if conflict.event_created > ctx.event.created {
            return Ok(Outcome::skipped(format!("older than event {}, already taken into account", conflict.event_id)));
        }
    }
    let (name, email) = match local_values(&remote) {
        Ok(values) => values,
        Err(problem) => return reject(conn, ctx, &remote, None, problem).await,
    };
    if let Some(owner) = email_owner(conn, &email, None).await? {
        if let Some(linked) = link_by_email(conn, ctx, &remote, owner).await? {
            return Ok(linked);
        }
        return reject(conn, ctx, &remote, None, format!("email {} is already used by customer {owner}", email.as_str())).await;
    }
    // A Stripe customer carrying an id of ours that names no customer here
    // (a restored database, say) keeps that id.
    let id = remote.our_id().map(CustomerId::from).unwrap_or_else(CustomerId::generate);
    let customer = customers::insert(conn, id, &name, &email).await?;
    let entity = EntityRef::customer(customer.id);
    changes::record(conn, &ctx.applier.integrations, &entity, Operation::Created, customer.version).await?;
    sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), Some(customer.version)).await?;
    sync_conflicts::resolve(conn, STRIPE, CUSTOMER, &remote.id).await?;
    Ok(Outcome::applied(Effect::Created, format!("customer {} created from Stripe customer {}", customer.id, remote.id)))
}

/// A Stripe customer unknown here whose email a local customer has that
/// never reached Stripe (an initial import, or a customer made on both
/// sides): they are the same customer, so they are linked, not doubled.
/// The local values win; the worker writes them to Stripe. `None` when the
/// local customer is linked already or a create of it may have reached
/// Stripe (linking then could leave a double there).
async fn link_by_email(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_>,
    remote: &RemoteCustomer,
    owner: Uuid,
) -> Result<Option<Outcome>, Error> {
    let Some(local) = customers::find_for_update(conn, owner).await? else { return Ok(None) };
    let entity = EntityRef::customer(local.id);
    let link = sync_links::lock(conn, STRIPE, &entity).await?;
    if link.external_id.is_some() || !create_attempts::lookup_keys(conn, STRIPE, &entity).await?.is_empty() {
        return Ok(None);
    }
    let same = remote.name.as_deref() == Some(local.name.as_str()) && remote.email.as_deref() == Some(local.email.as_str());
    sync_links::record_inbound(conn, STRIPE, &entity, &remote.id, ctx.mark(), same.then_some(local.version)).await?;
    sync_conflicts::resolve(conn, STRIPE, CUSTOMER, &remote.id).await?;
    let why = if same { "same values" } else { "the local values win and will be written to Stripe" };
    Ok(Some(Outcome::applied(Effect::Linked, format!("customer {} linked to Stripe customer {} by email ({why})", local.id, remote.id))))
}
