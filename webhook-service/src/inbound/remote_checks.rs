//! What the customer rules ask of a Stripe customer before they apply it:
//! its values as the catalog accepts them, who else uses its email, and
//! Stripe's current state when an event cannot be ordered by its second.

use diesel_async::AsyncPgConnection;
use shared_models::db::{customers, sync_links};
use shared_models::domain::{CustomerName, Email};
use shared_models::sync::CUSTOMER;
use uuid::Uuid;

use super::{Applier, STRIPE};
use crate::event::{RemoteCustomer, StripeEvent};
use crate::Error;

/// Reads Stripe's current state of the customer before any lock is taken,
/// when the event shares its second with the newest one applied: a call to
/// Stripe must not hold rows that our API writes wait for.
pub(super) async fn current_if_same_second(
    conn: &mut AsyncPgConnection,
    applier: &Applier,
    event: &StripeEvent,
    remote: &RemoteCustomer,
) -> Result<Option<RemoteCustomer>, Error> {
    let link = sync_links::find_by_external(conn, STRIPE, CUSTOMER, &remote.id).await?;
    let same_second = link.is_some_and(|l| l.remote_event_at == Some(event.created) && l.remote_event_id.as_deref() != Some(&event.id));
    if !same_second {
        return Ok(None);
    }
    Ok(Some(applier.api.customer(&remote.id).await.map_err(Error::Stripe)?))
}

/// The Stripe customer's values as the catalog's rules accept them.
pub(super) fn local_values(remote: &RemoteCustomer) -> Result<(CustomerName, Email), String> {
    let email = match remote.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(raw) => Email::parse(raw).map_err(|e| e.to_string())?,
        None => return Err("the Stripe customer has no email, which every customer here needs".into()),
    };
    let name = match remote.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(raw) => CustomerName::parse(raw).map_err(|e| e.to_string())?,
        None => return Err("the Stripe customer has no name, which every customer here needs".into()),
    };
    Ok((name, email))
}

/// The live customer other than `except` that uses `email`, if any.
pub(super) async fn email_owner(conn: &mut AsyncPgConnection, email: &Email, except: Option<Uuid>) -> Result<Option<Uuid>, Error> {
    let owners = customers::list_live(conn, None, Some(email), 2).await?;
    Ok(owners.into_iter().map(|c| c.id).find(|id| Some(*id) != except))
}
