//! An outside record merged into another (Salesforce's merge deletes the
//! losing records and sets their `MasterRecordId`): the person lives on as
//! the master, so nothing is deleted. The entity linked to the loser is
//! linked to the master instead and takes the master's state by the usual
//! rules (a later local edit wins and is written to the master). If another
//! entity stands for the master already, both entities are kept and the
//! pair is a conflict for a person to settle.

use diesel_async::AsyncPgConnection;
use shared_models::db::{changes, sync_links};
use shared_models::sync::{EntityRef, Operation};

use super::rules::{known, reject, Ctx};
use super::{InwardCatalog, Local, Outcome, RemoteRecord, Source};
use crate::SyncError;

/// Merge chains (a master merged again) are followed this far.
const MAX_HOPS: usize = 3;

pub(super) async fn relink<C: InwardCatalog, S: Source<C>>(
    conn: &mut AsyncPgConnection,
    ctx: &Ctx<'_, C, S>,
    loser: &RemoteRecord<C::Remote>,
    local: Local<C::Record>,
    entity: &EntityRef,
    master: &str,
) -> Result<Outcome, SyncError> {
    let integration = ctx.integration();
    let mut master = master.to_owned();
    let mut state = None;
    for _ in 0..MAX_HOPS {
        if let Some(other) = sync_links::find_by_external(conn, integration, C::ENTITY_TYPE, &master).await? {
            if other.entity_id != local.id {
                let problem = format!(
                    "{} {} was merged in {} into {master}, which {} {} stands for: both are kept and nothing is deleted \
                     (merge them here, or undo the merge there)",
                    ctx.outside(),
                    loser.external_id,
                    ctx.pair.source().display_name(),
                    C::NOUN,
                    other.entity_id
                );
                return reject(conn, ctx, loser, Some(local.id), problem).await;
            }
        }
        let read = ctx.pair.source().get(&master).await?;
        match read.merged_into.clone().filter(|_| read.deleted) {
            Some(next) => master = next,
            None => {
                state = Some(read);
                break;
            }
        }
    }
    let Some(mut state) = state else {
        let problem = format!("{} {} was merged more than {MAX_HOPS} times over: left for a person", ctx.outside(), loser.external_id);
        return reject(conn, ctx, loser, Some(local.id), problem).await;
    };
    // The master never held a write of ours: the link starts afresh on it,
    // and the entity's current version is queued for it, so that a later
    // local edit (the conflict rule's winner) is written there.
    sync_links::relink(conn, integration, entity, &master).await?;
    changes::record(conn, &[integration.to_owned()], entity, Operation::Updated, local.version).await?;
    C::resolve(conn, integration, &mut state.values).await?;
    log::info!("{} {}: {} {} merged into {master}; linked to it", C::NOUN, local.id, ctx.outside(), loser.external_id);
    // Boxed: `known` is what called this.
    let applied = Box::pin(known(conn, ctx, state, local)).await?;
    Ok(Outcome { detail: format!("merged into {master}, now linked to it: {}", applied.detail), ..applied })
}
