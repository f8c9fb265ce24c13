//! What the rules read before any lock is taken.

use diesel_async::AsyncPgConnection;
use shared_models::db::sync_links;

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
    let integration = pair.source().integration();
    let link = sync_links::find_by_external(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    let same_second = link.is_some_and(|l| l.remote_event_at == Some(event.created) && l.remote_event_id.as_deref() != Some(&event.id));
    if !same_second {
        return Ok(None);
    }
    Ok(Some(pair.source().get(&remote.external_id).await?))
}
