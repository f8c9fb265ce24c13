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

/// The attempt number a message carries in `ATTEMPT_HEADER`, if any; read
/// from whichever integer type the publisher (or the broker) used.
pub fn attempt_header(properties: &lapin::BasicProperties) -> Option<u32> {
    use lapin::types::AMQPValue;
    match properties.headers().as_ref()?.inner().get(ATTEMPT_HEADER)? {
        AMQPValue::LongUInt(n) => Some(*n),
        AMQPValue::LongInt(n) => u32::try_from(*n).ok(),
        AMQPValue::LongLongInt(n) => u32::try_from(*n).ok(),
        AMQPValue::ShortUInt(n) => Some(u32::from(*n)),
        _ => None,
    }
}
