//! RabbitMQ: the names users see in the management UI, how they are wired,
//! and a publisher that only reports success once the broker confirmed.

pub mod dead_letters;
mod publisher;
mod topology;

pub use publisher::{connect, Publisher};
pub use topology::{RetryTier, Topology};

/// Header carrying the attempt number of a change message (1 = first try).
pub const ATTEMPT_HEADER: &str = "x-attempt";
/// Header carrying the last error of a dead-lettered message.
pub const ERROR_HEADER: &str = "x-last-error";
