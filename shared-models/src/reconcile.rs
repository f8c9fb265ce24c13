//! What a reconcile found and did, as recorded with its run in
//! `reconcile_runs.summary`: written by the service that runs reconciles,
//! read by the API that lists them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Starting,
    /// Reading Stripe's customer list.
    StripeList,
    /// Reading linked customers the list did not show.
    StripeMissing,
    /// Comparing the local catalog with what Stripe holds.
    Local,
    Done,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Checked {
    /// Stripe customers read.
    pub stripe: u64,
    /// Local customers compared (deleted ones included).
    pub local: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Changes {
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
}

/// What a reconcile found and did (or, in a dry run, would do). Stored in
/// `reconcile_runs` as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub dry_run: bool,
    pub phase: Phase,
    pub checked: Checked,
    /// Changes made to the catalog from Stripe's state.
    pub catalog: Changes,
    /// Stripe customers linked to the local customer with their email.
    pub linked: u64,
    /// Changes queued for Stripe (the worker writes them): local changes it
    /// lacks, and customers on which Stripe was found holding something
    /// other than the catalog's version while the link said it was synced.
    pub stripe: Changes,
    /// Stripe customers that break a local rule, kept in `/sync/conflicts`.
    pub conflicts: u64,
    /// Customers on which both sides already agreed.
    pub unchanged: u64,
}
