//! The MQTT broker the deployment's sensors publish to: one connection per
//! process, subscribed at QoS 1 to each served council's topics
//! (`PREFIX/COUNCIL-SLUG/#`, any topic below it: a vehicle or gateway
//! chooses its own), each pack stored through [`Ingest`] and only then
//! acknowledged, in the order the packs came. The session is kept
//! (`clean_session = false`), so the broker holds what arrives while the
//! process is down and gives again what was not acknowledged: a reading is
//! stored at least once, and stored once ([`crate::ingest`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS, TlsConfiguration, Transport};
use serde::Deserialize;
use tokio::sync::mpsc;
use townhall_kernel::{Deployment, Job, Missing, Running};
use townhall_places::Council;
use townhall_store::Store;
use townhall_types::{CouncilId, Timestamp};

use crate::ingest::{Ingest, Pack};

/// `[mqtt]` in the deployment's configuration.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MqttSettings {
    /// The broker: `mqtt://[USER:PASSWORD@]HOST[:PORT]` (1883 unless given),
    /// or `mqtts://…` for TLS (8883 unless given).
    pub url: String,
    /// The first level of every topic read; a council's packs arrive under
    /// `PREFIX/COUNCIL-SLUG/…`.
    #[serde(default = "default_prefix")]
    pub topic_prefix: String,
    /// This process's MQTT client id, which names its session on the
    /// broker: each process its own.
    #[serde(default = "default_client")]
    pub client_id: String,
    /// When several processes share the readings, the MQTT shared
    /// subscription group they read in (`$share/GROUP/…`): the broker gives
    /// each pack to one of them.
    #[serde(default)]
    pub shared_group: Option<String>,
}

fn default_prefix() -> String {
    "townhall".to_owned()
}

fn default_client() -> String {
    "townhall".to_owned()
}

// The URL may hold a password: never shown.
impl fmt::Debug for MqttSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut url = url::Url::parse(&self.url).map_or_else(
            |_| "(unreadable)".into(),
            |mut u| {
                if u.password().is_some() {
                    let _ = u.set_password(Some("…"));
                }
                u.to_string()
            },
        );
        url.truncate(200);
        f.debug_struct("MqttSettings")
            .field("url", &url)
            .field("topic_prefix", &self.topic_prefix)
            .field("client_id", &self.client_id)
            .field("shared_group", &self.shared_group)
            .finish()
    }
}

/// Why `[mqtt]` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MqttSettingsError {
    /// Not a URL this client connects to.
    #[error("[mqtt] url: {0}")]
    Url(String),
    /// A prefix or group that is not one topic level.
    #[error("[mqtt] {0} must be one topic level: letters, digits, - and _")]
    Level(&'static str),
}

impl MqttSettings {
    /// The settings for the broker at `url`, with the default prefix and
    /// client id.
    pub fn new(url: &str) -> Self {
        MqttSettings {
            url: url.to_owned(),
            topic_prefix: default_prefix(),
            client_id: default_client(),
            shared_group: None,
        }
    }

    /// Checks the settings and makes the client's options.
    pub fn options(&self) -> Result<MqttOptions, MqttSettingsError> {
        let level = |text: &str| {
            !text.is_empty()
                && text.len() <= 64
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !level(&self.topic_prefix) {
            return Err(MqttSettingsError::Level("topic_prefix"));
        }
        if self.shared_group.as_deref().is_some_and(|g| !level(g)) {
            return Err(MqttSettingsError::Level("shared_group"));
        }
        if !level(&self.client_id) {
            return Err(MqttSettingsError::Level("client_id"));
        }
        let url = url::Url::parse(&self.url).map_err(|e| MqttSettingsError::Url(e.to_string()))?;
        let (tls, port) = match url.scheme() {
            "mqtt" => (false, 1883),
            "mqtts" => (true, 8883),
            other => {
                return Err(MqttSettingsError::Url(format!(
                    "'{other}' is not mqtt or mqtts"
                )))
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| MqttSettingsError::Url("it names no host".into()))?;
        let mut options = MqttOptions::new(&self.client_id, host, url.port().unwrap_or(port));
        options
            .set_keep_alive(Duration::from_secs(30))
            .set_clean_session(false)
            .set_manual_acks(true)
            // Packs larger than are read are still taken off the wire (and
            // counted as unreadable) up to this size. A larger message cannot
            // be taken, and the broker would offer it again on every
            // reconnection: cap messages on the broker at this size
            // (Mosquitto: `message_size_limit 8388608`).
            .set_max_packet_size(MAX_MESSAGE_BYTES, 16 * 1024);
        if !url.username().is_empty() {
            let decode = |text: &str| percent_decode_str(text).decode_utf8_lossy().into_owned();
            options.set_credentials(decode(url.username()), decode(url.password().unwrap_or("")));
        }
        if tls {
            options.set_transport(Transport::tls_with_config(TlsConfiguration::Native));
        }
        Ok(options)
    }

    /// The topic filter a council's packs are read from.
    pub fn filter(&self, council: &Council) -> String {
        let topics = format!("{}/{}/#", self.topic_prefix, council.slug);
        match &self.shared_group {
            Some(group) => format!("$share/{group}/{topics}"),
            None => topics,
        }
    }
}

pub(crate) const JOB: Job = Job {
    name: "sensor readings from the MQTT broker",
    start,
};

fn start(deployment: Arc<Deployment>) -> Result<Running, Missing> {
    let Some(settings) = deployment.settings.get::<MqttSettings>().cloned() else {
        return Ok(Box::pin(async {}));
    };
    let councils = deployment
        .councils
        .iter()
        .map(|c| c.require::<Council>().cloned())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Box::pin(listen(
        deployment.store.clone(),
        settings,
        councils,
    )))
}

/// The largest MQTT message taken off the wire, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// How many packs may be on their way to the store at once.
const IN_FLIGHT: usize = 1024;

/// Reads the councils' packs from the broker until the process stops.
pub async fn listen(store: Store, settings: MqttSettings, councils: Vec<Council>) {
    let options = match settings.options() {
        Ok(options) => options,
        Err(e) => {
            tracing::error!(error = %e, "sensor readings are not read");
            return;
        }
    };
    let filters: Vec<String> = councils.iter().map(|c| settings.filter(c)).collect();
    let by_slug: HashMap<String, CouncilId> =
        councils.iter().map(|c| (c.slug.clone(), c.id)).collect();
    let ingest = Ingest::new(&store);
    let (client, mut events) = AsyncClient::new(options, 64);
    let (order, in_order) = mpsc::channel(IN_FLIGHT);
    tokio::spawn(acknowledge(client.clone(), in_order));
    loop {
        match events.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                tracing::info!(broker = ?settings, session_kept = ack.session_present, "connected to the MQTT broker");
                // Subscribed afresh every time, so a council added since the
                // session began is read too; subscribing again changes nothing.
                for filter in &filters {
                    if let Err(e) = client.try_subscribe(filter.clone(), QoS::AtLeastOnce) {
                        tracing::error!(filter, error = %e, "cannot subscribe");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let council = council_of(&settings.topic_prefix, &publish.topic, &by_slug);
                let stored = tokio::spawn(store_pack(ingest.clone(), council, publish.clone()));
                if order.send((stored, publish)).await.is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the MQTT broker is not answering; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// The council a topic is for: `PREFIX/SLUG/…`.
fn council_of(
    prefix: &str,
    topic: &str,
    councils: &HashMap<String, CouncilId>,
) -> Option<CouncilId> {
    let mut levels = topic.split('/');
    if levels.next() != Some(prefix) {
        return None;
    }
    levels.next().and_then(|slug| councils.get(slug)).copied()
}

/// Stores one pack, trying again while the store fails: the broker keeps
/// it until it is acknowledged, after this.
async fn store_pack(ingest: Ingest, council: Option<CouncilId>, publish: Publish) {
    let Some(council) = council else {
        tracing::warn!(topic = %publish.topic, "a pack for no council served here");
        return;
    };
    let pack = Pack {
        council,
        source: publish.topic.clone(),
        payload: publish.payload.to_vec(),
        received_at: Timestamp::now(),
    };
    let mut wait = Duration::from_millis(100);
    loop {
        match ingest.take(pack.clone()).await {
            Ok(_) => return,
            Err(e) => {
                tracing::error!(topic = %pack.source, error = %e, "cannot store sensor readings; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Acknowledges each pack once it is stored, in the order they came, as
/// MQTT asks.
async fn acknowledge(
    client: AsyncClient,
    mut in_order: mpsc::Receiver<(tokio::task::JoinHandle<()>, Publish)>,
) {
    while let Some((stored, publish)) = in_order.recv().await {
        if stored.await.is_err() {
            continue;
        }
        if let Err(e) = client.ack(&publish).await {
            tracing::warn!(error = %e, "cannot acknowledge a pack");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_passwords_never_shown() {
        let mut s = MqttSettings::new("mqtt://bins:s3cret%21+x@broker.example:1884");
        let options = s.options().unwrap();
        assert_eq!(
            options.broker_address(),
            ("broker.example".to_owned(), 1884)
        );
        let login = options.credentials().unwrap();
        assert_eq!(
            (login.username.as_str(), login.password.as_str()),
            ("bins", "s3cret!+x")
        );
        assert!(!format!("{s:?}").contains("s3cret"));
        s.url = "http://broker".into();
        assert!(s.options().unwrap_err().to_string().contains("not mqtt"));
        s.url = "mqtt://broker".into();
        s.topic_prefix = "a/b".into();
        assert!(s.options().is_err());
        s.topic_prefix = "townhall".into();
        s.shared_group = Some("#".into());
        assert!(s.options().is_err());
    }

    #[test]
    fn topics_name_their_council_after_the_prefix() {
        let id = CouncilId::new();
        let councils = HashMap::from([("riverside".to_owned(), id)]);
        assert_eq!(
            council_of("townhall", "townhall/riverside/rcv-07", &councils),
            Some(id)
        );
        assert_eq!(
            council_of("townhall", "townhall/riverside", &councils),
            Some(id)
        );
        assert_eq!(
            council_of("townhall", "townhall/elsewhere/x", &councils),
            None
        );
        assert_eq!(council_of("townhall", "other/riverside/x", &councils), None);
    }
}
