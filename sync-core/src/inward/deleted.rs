//! A delete the integration reported of an entity linked to its record:
//! applied, with a change for every other integration, unless the
//! mass-deletion guard holds it (`guard`).

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use shared_models::db::{changes, sync_conflicts, sync_links};
use shared_models::sync::{EntityRef, Operation};

use super::rules::Ctx;
use super::{guard, Effect, Envelope, Inward, InwardCatalog, Origin, Outcome, Source};
use crate::SyncError;

pub(super) async fn delete_local<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    external_id: &str,
    entity: &EntityRef,
) -> Result<Outcome, SyncError> {
    let integration = ctx.integration();
    if let guard::Verdict::Hold(why) = guard::admit(conn, ctx.pair.guard(), integration, entity, external_id, &ctx.event.id).await? {
        return Ok(Outcome::held(format!(
            "held by the mass-deletion guard: {why}; nothing changed until an operator releases or discards it \
             (POST /sync/held-deletions/{{id}}/release or /discard)"
        )));
    }
    let version = C::delete(conn, entity.id).await?;
    changes::record(conn, ctx.pair.integrations(), entity, Operation::Deleted, version).await?;
    sync_links::record_inbound(conn, integration, entity, external_id, ctx.mark(), Some(version)).await?;
    sync_conflicts::resolve(conn, integration, C::ENTITY_TYPE, external_id).await?;
    let name = ctx.pair.source().display_name();
    Ok(Outcome::applied(Effect::Deleted, format!("{} {} deleted, as in {name}", C::NOUN, entity.id)))
}

/// A released delete whose record the integration no longer holds at all
/// (Salesforce's recycle bin emptied since it reported the delete): the
/// report was its word, and nothing says the record came back, so the
/// delete is taken in.
pub(crate) async fn released_and_gone<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    pair: &Inward<C, S>,
    event: &Envelope,
    external_id: &str,
) -> Result<Outcome, SyncError> {
    let integration = pair.source().integration();
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("{integration}:{}:{external_id}", C::ENTITY_TYPE))
        .execute(conn)
        .await?;
    let Some(link) = sync_links::find_by_external(conn, integration, C::ENTITY_TYPE, external_id).await? else {
        return Ok(Outcome::skipped(format!("no local {} stands for it", C::NOUN)));
    };
    let Some(local) = C::lock(conn, link.entity_id).await?.filter(|local| !local.deleted) else {
        return Ok(Outcome::skipped(format!("{} {} was deleted here already", C::NOUN, link.entity_id)));
    };
    let ctx = Ctx { pair, event, origin: Origin::Listed, current: None };
    delete_local(conn, &ctx, external_id, &Ctx::<C, S>::entity(local.id)).await
}
