//! Stripe as an integration: async-stripe's request and response types,
//! sent through our own transport so that retries stay ours (the queue's)
//! and `Retry-After` / `Stripe-Should-Retry` reach the retry decision.

mod client;
mod customers;

pub use client::{StripeCallError, StripeHttp};
pub use customers::{StripeCustomers, METADATA_KEY, VERSION_METADATA_KEY};
