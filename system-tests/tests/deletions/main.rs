//! Deletes an integration reports: taken in only on its word, and held for
//! an operator past the mass-deletion guard's limits. api-service,
//! webhook-service and the customer worker in-process, real PostgreSQL and
//! RabbitMQ, and the Stripe double answering from memory: it answers a
//! deleted customer's retrieve with `deleted: true`, as Stripe does, where
//! localstripe answers 404.
#![allow(clippy::unwrap_used)]

mod guard;
mod stripe_pages;
mod stripe_word;
#[allow(dead_code)]
#[path = "../invoices/support.rs"]
mod support;
