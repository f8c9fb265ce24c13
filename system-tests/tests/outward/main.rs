//! Outward sync end to end: api-service and sync-worker in-process, real
//! PostgreSQL and RabbitMQ, localstripe for Stripe's behaviour and wiremock
//! for the faults it cannot produce.

#![allow(clippy::unwrap_used)]

mod faults;
mod happy_path;
mod hazards;
mod saved_failures;
mod stripe_client;
mod support;
mod unknown_outcome;
