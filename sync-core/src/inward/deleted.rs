//! A delete the integration reported of an entity linked to its record:
//! applied, with a change for every other integration, unless the
//! mass-deletion guard holds it (`guard`).

use diesel_async::AsyncPgConnection;
use shared_models::db::{changes, sync_conflicts, sync_links};
use shared_models::sync::{EntityRef, Operation};

use super::rules::Ctx;
use super::{guard, Effect, InwardCatalog, Outcome, RemoteRecord, Source};
use crate::SyncError;

pub(super) async fn delete_local<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    remote: &RemoteRecord<C::Remote>,
    entity: &EntityRef,
) -> Result<Outcome, SyncError> {
    let integration = ctx.integration();
    if let guard::Verdict::Hold(why) = guard::admit(conn, ctx.pair.guard(), integration, entity, &remote.external_id, &ctx.event.id).await?
    {
        return Ok(Outcome::held(format!(
            "held by the mass-deletion guard: {why}; nothing changed until an operator releases or discards it \
             (POST /sync/held-deletions/{{id}}/release or /discard)"
        )));
    }
    let version = C::delete(conn, entity.id).await?;
    changes::record(conn, ctx.pair.integrations(), entity, Operation::Deleted, version).await?;
    sync_links::record_inbound(conn, integration, entity, &remote.external_id, ctx.mark(), Some(version)).await?;
    sync_conflicts::resolve(conn, integration, C::ENTITY_TYPE, &remote.external_id).await?;
    let name = ctx.pair.source().display_name();
    Ok(Outcome::applied(Effect::Deleted, format!("{} {} deleted, as in {name}", C::NOUN, entity.id)))
}
