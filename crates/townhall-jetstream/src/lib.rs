//! Publishes the platform's domain events to a NATS JetStream stream.
//!
//! One machine's subscribers read the outbox in the store. A deployment
//! that outgrows one machine names a NATS server (`[jetstream] nats_url`), and
//! [`Publisher`], one more subscriber, copies every event to a JetStream
//! stream, from which consumers on other machines read with JetStream's own
//! acknowledgements, redelivery and replay: an existing distributed engine,
//! not one of Townhall's making.
//!
//! Each message is the event as a CloudEvents 1.0 JSON document (structured
//! mode), on the subject `PREFIX.COUNCIL.AREA.WHAT.vVERSION` (e.g.
//! `townhall.0190….case.submitted.v1`), so that a consumer filters by
//! council, by kind or both. Its `Nats-Msg-Id` is `COUNCIL:NUMBER`: an event
//! published again (delivery is at least once) within the stream's
//! duplicate window is stored once. An event given again after a later one
//! was stored lands after it, so consumers order a council's events by
//! their number (`id`), as they would a feed.
//!
//! Like every subscriber it publishes inside the transaction that moves its
//! checkpoint, which it writes nothing else to. That holds a connection
//! while NATS answers, so the binary allows it only on PostgreSQL, which a
//! deployment spread over machines runs on anyway (on SQLite it would hold
//! the one writer every request waits for).

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use townhall_events::{Stored, Subscriber, SubscriberError};
use townhall_store::Tx;

/// Where to publish.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JetStreamSettings {
    /// The NATS server, e.g. `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// The stream, made if it does not exist.
    #[serde(default = "default_stream")]
    pub stream: String,
    /// The first token of every subject; the stream holds `PREFIX.>`.
    #[serde(default = "default_prefix")]
    pub subject_prefix: String,
}

fn default_stream() -> String {
    "TOWNHALL_EVENTS".to_owned()
}

fn default_prefix() -> String {
    "townhall".to_owned()
}

impl JetStreamSettings {
    /// The settings for `nats_url`, with the default stream and prefix.
    pub fn new(nats_url: impl Into<String>) -> Self {
        JetStreamSettings {
            nats_url: nats_url.into(),
            stream: default_stream(),
            subject_prefix: default_prefix(),
        }
    }
}

/// How long the stream remembers a message id, so that an event published
/// twice is stored once.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Why the stream could not be reached or written to.
#[derive(Debug, thiserror::Error)]
pub enum JetStreamError {
    /// The NATS server did not answer.
    #[error("could not connect to NATS at {url}: {message}")]
    Connect {
        /// The server.
        url: String,
        /// Why.
        message: String,
    },
    /// The stream could not be found or made.
    #[error("could not make JetStream stream {stream}: {message}")]
    Stream {
        /// The stream.
        stream: String,
        /// Why.
        message: String,
    },
    /// A setting that cannot make a subject or a stream name.
    #[error("{0}")]
    Settings(String),
}

/// Copies events to a JetStream stream: a [`Subscriber`].
pub struct Publisher {
    context: jetstream::Context,
    prefix: String,
}

impl Publisher {
    /// Connects to the NATS server and makes sure the stream exists.
    pub async fn connect(settings: &JetStreamSettings) -> Result<Self, JetStreamError> {
        let token = |t: &str| {
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !token(&settings.stream) {
            return Err(JetStreamError::Settings(format!(
                "'{}' cannot name a stream: use letters, digits, '-' and '_'",
                settings.stream
            )));
        }
        if !settings.subject_prefix.split('.').all(token) {
            return Err(JetStreamError::Settings(format!(
                "'{}' cannot begin a subject: use tokens of letters, digits, '-' and '_' joined by '.'",
                settings.subject_prefix
            )));
        }
        let client =
            async_nats::connect(&settings.nats_url)
                .await
                .map_err(|e| JetStreamError::Connect {
                    url: settings.nats_url.clone(),
                    message: e.to_string(),
                })?;
        let context = jetstream::new(client);
        context
            .get_or_create_stream(stream::Config {
                name: settings.stream.clone(),
                subjects: vec![format!("{}.>", settings.subject_prefix)],
                storage: stream::StorageType::File,
                duplicate_window: DUPLICATE_WINDOW,
                ..Default::default()
            })
            .await
            .map_err(|e| JetStreamError::Stream {
                stream: settings.stream.clone(),
                message: e.to_string(),
            })?;
        Ok(Publisher {
            context,
            prefix: settings.subject_prefix.clone(),
        })
    }

    /// The subject `event` is published on.
    pub fn subject(&self, event: &Stored) -> String {
        let kind = event
            .cloud_type
            .strip_prefix("townhall.")
            .unwrap_or(&event.cloud_type);
        format!("{}.{}.{kind}", self.prefix, event.council)
    }
}

impl Subscriber for Publisher {
    const NAME: &'static str = "jetstream";

    async fn handle(&self, _: &mut Tx, events: &[Stored]) -> Result<(), SubscriberError> {
        let failed = |e: &dyn std::fmt::Display| SubscriberError::Failed(format!("JetStream: {e}"));
        // Published one after another without waiting, then acknowledged
        // together: the stream keeps them in this order.
        let mut acks = Vec::with_capacity(events.len());
        for event in events {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(
                async_nats::header::NATS_MESSAGE_ID,
                format!("{}:{}", event.council, event.sequence).as_str(),
            );
            headers.insert("Content-Type", "application/cloudevents+json");
            let payload = serde_json::to_vec(&event.cloud_event()).map_err(|e| failed(&e))?;
            let ack = self
                .context
                .publish_with_headers(self.subject(event), headers, payload.into())
                .await
                .map_err(|e| failed(&e))?;
            acks.push(ack);
        }
        for ack in acks {
            ack.await.map_err(|e| failed(&e))?;
        }
        Ok(())
    }
}
