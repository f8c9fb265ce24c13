//! What the rules read before any lock is taken.

use diesel_async::AsyncPgConnection;
use shared_models::db::{sync_links, sync_writes};
use shared_models::sync::EntityRef;

use super::{Envelope, Inward, InwardCatalog, RemoteRecord, Source};
use crate::SyncError;

/// The integration's current state of the record, read when the event
/// shares its second with the newest one applied. Read before any lock: a
/// call to the integration must not hold rows that our API writes wait for.
pub(super) async fn current_if_same_second<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    pair: &Inward<C, S>,
    event: &Envelope,
    remote: &RemoteRecord<C::Remote>,
) -> Result<Option<RemoteRecord<C::Remote>>, SyncError> {
    if remote.deleted {
        // The integration's word that it was deleted, and a delete is final:
        // nothing read now could undo it.
        return Ok(None);
    }
    let integration = pair.source().integration();
    let link = sync_links::find_by_external(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    let same_second = link.is_some_and(|l| l.remote_event_at == Some(event.created) && l.remote_event_id.as_deref() != Some(&event.id));
    if !same_second {
        return Ok(None);
    }
    Ok(Some(pair.source().get(&remote.external_id).await?))
}

/// The record's current state, when the integration's events are only a
/// sign of a change (see `Source::reads_current_state`); the event as it is
/// otherwise. While a write of ours to the record is in doubt, the event
/// waits: what the integration holds then may be our write half made.
pub(super) async fn current_if_event_is_a_sign<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    pair: &Inward<C, S>,
    remote: RemoteRecord<C::Remote>,
) -> Result<RemoteRecord<C::Remote>, SyncError> {
    let source = pair.source();
    if !source.reads_current_state() || remote.deleted {
        return Ok(remote);
    }
    let integration = source.integration();
    let link = sync_links::find_by_external(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    if let Some(id) = link.map(|l| l.entity_id).or(remote.our_id) {
        if sync_writes::find(conn, integration, &EntityRef { entity_type: C::ENTITY_TYPE, id }).await?.is_some() {
            let message = format!("a write of ours to {} {id} is in progress; its events wait for it", C::NOUN);
            return Err(SyncError::Transient { message, retry_after: None });
        }
    }
    source.get(&remote.external_id).await
}
