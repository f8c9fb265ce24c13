//! api-service against a real PostgreSQL and RabbitMQ (no worker running,
//! except to dead-letter a change: these tests are about what the API and
//! its commands accept, refuse and record).

#![allow(clippy::unwrap_used)]

mod bad_input;
mod commands;
mod customers;
mod exact_bytes;
mod idempotency;
mod invoice_input;
mod invoice_limits;
mod invoices;
mod openapi;
mod properties;
mod raw_http;
mod reconcile;
mod security;
mod startup;
mod support;
