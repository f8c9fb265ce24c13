//! Invoices end to end: api-service, webhook-service and the workers of
//! both Stripe pairs in-process (the killed worker is the real binary),
//! real PostgreSQL and RabbitMQ, and the Stripe double answering from
//! memory, since localstripe shows only a thin slice of an invoice's life
//! (INVOICE_FACTS.md); that slice is in `emulator`, against localstripe.
#![allow(clippy::unwrap_used)]

mod crash;
mod customer_first;
mod emulator;
mod events;
mod inward;
mod life_cycle;
mod lines;
mod reconcile;
mod settled;
mod support;
mod terms;
