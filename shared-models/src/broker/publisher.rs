use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::Confirmation;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};

use super::topology::key;
use crate::error::{Context, Error};

/// Longest wait for the broker to confirm a publish.
const CONFIRM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens a connection named after the service (shown in the management UI).
pub async fn connect(amqp_url: &str, name: &str) -> Result<Connection, Error> {
    let properties = ConnectionProperties::default().with_connection_name(LongString::from(name.as_bytes().to_vec()));
    Connection::connect(amqp_url, properties).await.context("connecting to RabbitMQ")
}

/// A channel in confirm mode, used only for publishing.
#[derive(Clone)]
pub struct Publisher {
    channel: Channel,
}

impl Publisher {
    pub async fn open(connection: &Connection) -> Result<Self, Error> {
        let channel = connection.create_channel().await.context("opening a publish channel")?;
        channel.confirm_select(ConfirmSelectOptions::default()).await.context("enabling publisher confirms")?;
        Ok(Self { channel })
    }

    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Publishes a persistent JSON message and waits for the broker's ack.
    /// `expiration_ms` sets a per-message TTL (used for retry jitter).
    pub async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message_id: &str,
        payload: &[u8],
        headers: &[(&str, AMQPValue)],
        expiration_ms: Option<u64>,
    ) -> Result<(), Error> {
        let mut table = FieldTable::default();
        for (name, value) in headers {
            table.insert(key(name), value.clone());
        }
        let mut properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(message_id.into())
            .with_headers(table);
        if let Some(ms) = expiration_ms {
            properties = properties.with_expiration(ms.to_string().into());
        }
        let publish = async {
            self.channel
                .basic_publish(
                    exchange.into(),
                    routing_key.into(),
                    BasicPublishOptions { mandatory: true, ..Default::default() },
                    payload,
                    properties,
                )
                .await
                .context("publishing a message")?
                .await
                .context("waiting for a publisher confirm")
        };
        // On a dead connection a confirm can wait forever: not confirmed in
        // time is not confirmed (the caller keeps the message).
        let confirm = tokio::time::timeout(CONFIRM_TIMEOUT, publish)
            .await
            .map_err(|_| Error::PublishNotConfirmed(format!("message {message_id}: no confirm within {CONFIRM_TIMEOUT:?}")))??;
        match confirm {
            Confirmation::Ack(None) => Ok(()),
            // An ack carrying a returned message means it was unroutable.
            Confirmation::Ack(Some(_)) => Err(Error::Unroutable(format!("message {message_id} to '{exchange}' with key '{routing_key}'"))),
            Confirmation::Nack(_) | Confirmation::NotRequested => {
                Err(Error::PublishNotConfirmed(format!("message {message_id} to '{exchange}' with key '{routing_key}'")))
            }
        }
    }
}
