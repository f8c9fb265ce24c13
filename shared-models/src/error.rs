use thiserror::Error;

/// Failures of the shared infrastructure: settings, database, broker.
#[derive(Debug, Error)]
pub enum Error {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("database error while {context}: {source}")]
    Database {
        context: &'static str,
        #[source]
        source: diesel::result::Error,
    },
    #[error("database connection unavailable while {context}: {message}")]
    Pool { context: &'static str, message: String },
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("broker error while {context}: {source}")]
    Broker {
        context: &'static str,
        #[source]
        source: lapin::Error,
    },
    #[error("broker did not confirm the publish of {0}")]
    PublishNotConfirmed(String),
    /// The broker returned the message: no queue is bound for its key.
    #[error("no queue takes {0}")]
    Unroutable(String),
    #[error("the broker cancelled the consumer of {0}")]
    ConsumerCancelled(String),
}

impl From<diesel::result::Error> for Error {
    fn from(source: diesel::result::Error) -> Self {
        Error::Database { context: "running a transaction", source }
    }
}

/// Adds what we were doing to a fallible database or broker step.
pub trait Context<T> {
    fn context(self, context: &'static str) -> Result<T, Error>;
}

impl<T> Context<T> for Result<T, diesel::result::Error> {
    fn context(self, context: &'static str) -> Result<T, Error> {
        self.map_err(|source| Error::Database { context, source })
    }
}

impl<T> Context<T> for Result<T, lapin::Error> {
    fn context(self, context: &'static str) -> Result<T, Error> {
        self.map_err(|source| Error::Broker { context, source })
    }
}

impl<T> Context<T> for Result<T, diesel_async::pooled_connection::deadpool::PoolError> {
    fn context(self, context: &'static str) -> Result<T, Error> {
        self.map_err(|e| Error::Pool { context, message: e.to_string() })
    }
}
