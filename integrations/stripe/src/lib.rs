//! Stripe as an integration: async-stripe's request and response types,
//! sent through our own transport so that retries stay ours (the queue's)
//! and `Retry-After` / `Stripe-Should-Retry` reach the retry decision
//! (outward, `customers`); its signed webhooks, event list and customer
//! reads (inward, `inward`). Its invoices, in and out (`invoices`).

mod call_error;
mod client;
mod customers;
pub mod event;
pub mod invoices;
mod inward;
pub mod reads;
pub mod signature;

pub use client::{StripeCallError, StripeHttp};
pub use customers::{StripeCustomers, METADATA_KEY, VERSION_METADATA_KEY};
pub use invoices::{StripeInvoiceSource, StripeInvoices};
pub use inward::{StripeCustomerSource, StripeFeed};
