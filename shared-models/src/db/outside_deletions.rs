//! Deletes taken in from an integration, and those the mass-deletion guard
//! held back (`outside_deletions`): the guard counts the ones applied
//! lately, an operator releases or discards the held ones.

use chrono::{DateTime, Utc};
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Context, Error};
use crate::schema::outside_deletions;
use crate::sync::EntityRef;
use crate::text_enum::text_enum;

/// Where a delete reported by an integration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, AsExpression, FromSqlRow, utoipa::ToSchema)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum DeletionState {
    /// Taken in: the entity was deleted here.
    Applied,
    /// Held by the guard: nothing changed; waits for an operator.
    Held,
    /// Released by an operator: the record is read back, and the delete
    /// taken in when it is still deleted there.
    Released,
    /// Discarded by an operator: the entity stays, and is written there again.
    Discarded,
}

text_enum!(DeletionState, "deletion state", {
    Applied => "applied", Held => "held", Released => "released", Discarded => "discarded",
});

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = outside_deletions)]
pub struct OutsideDeletion {
    pub id: Uuid,
    pub integration: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub external_id: String,
    pub state: DeletionState,
    pub event_id: String,
    pub detail: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl OutsideDeletion {
    pub fn new(integration: &str, entity: &EntityRef, external_id: &str, state: DeletionState, event_id: &str) -> Self {
        Self {
            id: Uuid::now_v7(),
            integration: integration.to_owned(),
            entity_type: entity.entity_type.to_owned(),
            entity_id: entity.id,
            external_id: external_id.to_owned(),
            state,
            event_id: event_id.to_owned(),
            detail: None,
            recorded_at: Utc::now(),
            decided_at: None,
        }
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, deletion: &OutsideDeletion) -> Result<(), diesel::result::Error> {
    diesel::insert_into(outside_deletions::table).values(deletion).execute(conn).await?;
    Ok(())
}

/// The entity's delete that is held or released (not yet taken), if any.
pub async fn open_for(
    conn: &mut AsyncPgConnection,
    integration: &str,
    entity: &EntityRef,
) -> Result<Option<OutsideDeletion>, diesel::result::Error> {
    outside_deletions::table
        .filter(outside_deletions::integration.eq(integration))
        .filter(outside_deletions::entity_type.eq(entity.entity_type))
        .filter(outside_deletions::entity_id.eq(entity.id))
        .filter(outside_deletions::state.eq_any([DeletionState::Held, DeletionState::Released]))
        .select(OutsideDeletion::as_select())
        .first(conn)
        .await
        .optional()
}

/// A released delete, taken in now.
pub async fn mark_applied(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), diesel::result::Error> {
    diesel::update(outside_deletions::table.find(id)).set(outside_deletions::state.eq(DeletionState::Applied)).execute(conn).await?;
    Ok(())
}

/// Whether any delete of the integration waits for an operator.
pub async fn any_held(conn: &mut AsyncPgConnection, integration: &str) -> Result<bool, diesel::result::Error> {
    diesel::select(diesel::dsl::exists(
        outside_deletions::table
            .filter(outside_deletions::integration.eq(integration))
            .filter(outside_deletions::state.eq(DeletionState::Held)),
    ))
    .get_result(conn)
    .await
}

/// Deletes of the integration taken in since `since`.
pub async fn applied_since(conn: &mut AsyncPgConnection, integration: &str, since: DateTime<Utc>) -> Result<i64, diesel::result::Error> {
    outside_deletions::table
        .filter(outside_deletions::integration.eq(integration))
        .filter(outside_deletions::state.eq(DeletionState::Applied))
        .filter(outside_deletions::recorded_at.ge(since))
        .count()
        .get_result(conn)
        .await
}

/// Held deletes, oldest first (of one integration, if given).
pub async fn held(conn: &mut AsyncPgConnection, integration: Option<&str>, limit: i64) -> Result<Vec<OutsideDeletion>, Error> {
    let mut query = outside_deletions::table.filter(outside_deletions::state.eq(DeletionState::Held)).into_boxed();
    if let Some(integration) = integration {
        query = query.filter(outside_deletions::integration.eq(integration.to_owned()));
    }
    query
        .order((outside_deletions::recorded_at.asc(), outside_deletions::id.asc()))
        .limit(limit)
        .select(OutsideDeletion::as_select())
        .load(conn)
        .await
        .context("listing held deletions")
}

/// An operator's decision on held deletes: the one `id`, or every held one
/// of `integration`. Returns the deletes decided (none that were not held).
pub async fn decide(
    conn: &mut AsyncPgConnection,
    target: Target<'_>,
    decision: DeletionState,
) -> Result<Vec<OutsideDeletion>, diesel::result::Error> {
    let held = outside_deletions::table.filter(outside_deletions::state.eq(DeletionState::Held));
    let set = (outside_deletions::state.eq(decision), outside_deletions::decided_at.eq(diesel::dsl::now));
    let returning = OutsideDeletion::as_returning();
    match target {
        Target::One(id) => diesel::update(held.filter(outside_deletions::id.eq(id))).set(set).returning(returning).get_results(conn).await,
        Target::All(integration) => {
            diesel::update(held.filter(outside_deletions::integration.eq(integration)))
                .set(set)
                .returning(returning)
                .get_results(conn)
                .await
        }
    }
}

/// Which held deletes a decision is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    One(Uuid),
    All(&'a str),
}

/// Held deletes per integration.
pub async fn held_counts(conn: &mut AsyncPgConnection) -> Result<Vec<(String, i64)>, Error> {
    outside_deletions::table
        .filter(outside_deletions::state.eq(DeletionState::Held))
        .group_by(outside_deletions::integration)
        .select((outside_deletions::integration, diesel::dsl::count_star()))
        .load(conn)
        .await
        .context("counting held deletions")
}

/// Forgets decided and applied deletes older than `hours` (held ones stay).
pub async fn prune(conn: &mut AsyncPgConnection, hours: u64) -> Result<usize, Error> {
    diesel::delete(
        outside_deletions::table
            .filter(outside_deletions::state.ne(DeletionState::Held))
            .filter(outside_deletions::recorded_at.lt(super::hours_ago(hours))),
    )
    .execute(conn)
    .await
    .context("pruning outside deletions")
}
