//! `cargo bench --bench sensors`: sensor readings from the MQTT broker (the
//! local Mosquitto, port 1883) to the store the tests use (SQLite, or
//! PostgreSQL when `TOWNHALL_TEST_DATABASE_URL` is set).
//!
//! A publisher sends SenML packs at QoS 1 as fast as the broker takes them,
//! to 100 registered litter bins, never more than 500 ahead of what the
//! subscriber has taken (a broker queues 1,000 for a session by default and
//! drops the rest), and the clock stops when the last reading is in the
//! store. Townhall acknowledges a pack only once it is committed,
//! so every reading counted is durable. Beside it, in the same run, the
//! anchor: the same packs to a bare MQTT subscriber (rumqttc, QoS 1,
//! acknowledging each as it arrives and storing nothing), what the broker
//! and client carry at all.

// A benchmark stops at the first failure, with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use townhall_sensors::device::{self, NewDevice};
use townhall_sensors::Kind;
use townhall_testkit::{TestServer, IN_PARISH};
use townhall_types::Timestamp;

const DEVICES: usize = 100;

#[tokio::main]
async fn main() {
    let backend = match std::env::var("TOWNHALL_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => "PostgreSQL",
        _ => "SQLite",
    };
    println!("Sensor readings from Mosquitto to the store, on {backend}\n");
    println!("| packs | readings a pack | bare subscriber (anchor), packs/s | Townhall, readings stored/s | Townhall, packs/s |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for (packs, per_pack) in [(20_000, 1), (5_000, 10)] {
        let anchor = bare_subscriber(packs, per_pack).await;
        let (readings, took) = townhall(packs, per_pack).await;
        println!(
            "| {packs} | {per_pack} | {:.0} | {:.0} | {:.0} |",
            packs as f64 / anchor.as_secs_f64(),
            readings as f64 / took.as_secs_f64(),
            packs as f64 / took.as_secs_f64(),
        );
    }
}

fn prefix() -> String {
    format!("bench{}", uuid::Uuid::new_v4().simple())
}

/// Pack `n` of a run: `per_pack` fill levels of the litter bins, each at a
/// time of its own.
fn pack(n: usize, per_pack: usize, start: i64) -> String {
    let records: Vec<String> = (0..per_pack)
        .map(|k| {
            let i = n * per_pack + k;
            format!(
                r#"{{"n":"urn:dev:litter-bin:B-{}:fill","u":"%","v":{},"t":{}}}"#,
                i % DEVICES,
                i % 70,
                start + (i / DEVICES) as i64
            )
        })
        .collect();
    format!("[{}]", records.join(","))
}

/// How many packs the publisher keeps ahead of what has been received:
/// under the 1,000 a broker queues for one session by default (Mosquitto's
/// `max_queued_messages`), past which it drops them.
const AHEAD: usize = 500;

/// Publishes `packs` packs on `topic` at QoS 1, as fast as the broker
/// takes them, keeping at most [`AHEAD`] ahead of `done` (the packs the
/// subscriber has taken).
async fn publish(topic: String, packs: usize, per_pack: usize, done: Arc<AtomicUsize>) {
    let mut options = MqttOptions::new(prefix(), "127.0.0.1", 1883);
    options
        .set_inflight(200)
        .set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut events) = AsyncClient::new(options, 1024);
    let start = Timestamp::now().unix_seconds() - 86_400;
    tokio::spawn(async move {
        for n in 0..packs {
            while n >= done.load(Ordering::Relaxed) + AHEAD {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            client
                .publish(&topic, QoS::AtLeastOnce, false, pack(n, per_pack, start))
                .await
                .unwrap();
        }
    });
    let mut acknowledged = 0;
    while acknowledged < packs {
        if let Event::Incoming(Packet::PubAck(_)) = events.poll().await.unwrap() {
            acknowledged += 1;
        }
    }
}

/// The anchor: how long a bare subscriber takes to receive `packs`.
async fn bare_subscriber(packs: usize, per_pack: usize) -> Duration {
    let topic = format!("{}/x/y", prefix());
    let mut options = MqttOptions::new(prefix(), "127.0.0.1", 1883);
    options
        .set_manual_acks(true)
        .set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut events) = AsyncClient::new(options, 1024);
    client.subscribe(&topic, QoS::AtLeastOnce).await.unwrap();
    loop {
        if let Event::Incoming(Packet::SubAck(_)) = events.poll().await.unwrap() {
            break;
        }
    }
    let started = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    tokio::spawn(publish(topic, packs, per_pack, done.clone()));
    let mut received = 0;
    while received < packs {
        if let Event::Incoming(Packet::Publish(p)) = events.poll().await.unwrap() {
            client.ack(&p).await.unwrap();
            received += 1;
            done.store(received, Ordering::Relaxed);
        }
    }
    started.elapsed()
}

/// Townhall: how long until every reading of `packs` is stored.
async fn townhall(packs: usize, per_pack: usize) -> (i64, Duration) {
    let s = TestServer::start().await;
    let boundaries: &townhall_places::Boundaries = s.settings().get().unwrap();
    let collections: &townhall_waste::Collections = s.settings().get().unwrap();
    for n in 0..DEVICES {
        device::register(
            &s.db.store,
            s.council.id,
            (boundaries, collections),
            NewDevice {
                id: format!("urn:dev:litter-bin:B-{n}"),
                kind: Kind::LitterBin,
                label: format!("Litter bin {n}"),
                owner: "Waste and Recycling".into(),
                home: None,
                point: Some(IN_PARISH),
                threshold: None,
            },
        )
        .await
        .unwrap();
    }
    let topic = s.read_broker();
    let count = || async {
        let (n,): (i64,) = townhall_store::sql::query_as(
            "SELECT COUNT(*) FROM sensor_readings WHERE council_id = $1",
        )
        .bind(s.council.id.to_string())
        .fetch_one(s.db.store.reader())
        .await
        .unwrap();
        n
    };
    // Wait for the subscription: a first pack, sent until it is stored.
    let probe = r#"[{"n":"urn:dev:litter-bin:B-0:fill","u":"%","v":1,"t":-600000}]"#;
    while count().await == 0 {
        publish_one(&topic, probe).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let want = 1 + (packs * per_pack) as i64;
    let started = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    tokio::spawn(publish(topic, packs, per_pack, done.clone()));
    loop {
        let stored = count().await;
        done.store((stored as usize - 1) / per_pack, Ordering::Relaxed);
        if stored >= want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    ((packs * per_pack) as i64, started.elapsed())
}

async fn publish_one(topic: &str, payload: &str) {
    let mut options = MqttOptions::new(prefix(), "127.0.0.1", 1883);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut events) = AsyncClient::new(options, 8);
    client
        .publish(topic, QoS::AtLeastOnce, false, payload.to_owned())
        .await
        .unwrap();
    loop {
        if let Event::Incoming(Packet::PubAck(_)) = events.poll().await.unwrap() {
            return;
        }
    }
}
