//! webhook-service end to end: the real service, PostgreSQL, RabbitMQ,
//! api-service, sync-worker and the localstripe emulator.
#![allow(clippy::unwrap_used)]

mod emulator;
mod events;
mod faults;
mod held_in_salesforce;
mod later_edit;
mod not_deleted;
mod operations;
mod poison;
mod poller;
mod reconcile;
mod relay;
mod restart;
mod salesforce_faults;
mod salesforce_refusals;
mod sides;
mod signatures;
mod support;
mod three_sides;
mod trust;
mod unconfirmed_delete;
mod unknown_outcome;
