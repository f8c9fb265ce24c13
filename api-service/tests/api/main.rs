//! api-service against a real PostgreSQL and RabbitMQ (no worker running:
//! these tests are about what the API accepts, refuses and records).

#![allow(clippy::unwrap_used)]

mod bad_input;
mod customers;
mod exact_bytes;
mod idempotency;
mod openapi;
mod startup;
mod support;
