//! Operating the sync: dead letters and reconcile runs. Used by the HTTP
//! endpoints under `/sync` and by the `api-service` commands alike.

pub mod dead_letters;
pub mod queues;
pub mod reconcile_runs;
