//! `cargo bench --bench events`: domain events on the store the tests use
//! (SQLite, or PostgreSQL when `TOWNHALL_TEST_DATABASE_URL` is set).
//!
//! - events written per second through the outbox: one per transaction (as
//!   a staff change writes one), and 100 per transaction (as the intake's
//!   group commit writes a batch); beside the anchor, transactions that
//!   each update one row, the floor of any write on the same store;
//! - the delay from a case being submitted over Open311 to a subscriber
//!   being given its event, with clients posting as fast as the server
//!   takes them, through the real HTTP server on loopback; beside the
//!   server's own subscriber (the case messages), as a deployment runs.

// A benchmark stops at the first failure, with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use townhall_events::{NewEvent, Stored, Subscriber, SubscriberError};
use townhall_store::Tx;
use townhall_testkit::{percentile, TestServer, TestStore, NOT_IN_PARISH};
use townhall_types::{CouncilId, Timestamp};

#[tokio::main]
async fn main() {
    let backend = match std::env::var("TOWNHALL_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => "PostgreSQL",
        _ => "SQLite",
    };
    println!("Townhall event benchmarks on {backend}\n");
    commits().await;
    writes(1).await;
    writes(100).await;
    delivery_under_open311_load().await;
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Rang {
    bell: u64,
}

impl townhall_events::Event for Rang {
    const TYPE: townhall_events::EventType = townhall_events::EventType {
        name: "bench.rang",
        version: 1,
        about: "A bell rang.",
    };
    fn subject(&self) -> String {
        self.bell.to_string()
    }
}

/// A fresh store with one council.
async fn bench_council() -> (TestStore, CouncilId) {
    let db = TestStore::new().await;
    let mut tx = db.store.begin().await.unwrap();
    let council = townhall_places::create_council(&mut tx, "bench", "Bench Council")
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    (db, council)
}

/// Commits transactions that each update one row, for 5 seconds: the
/// anchor for writing one event per transaction.
async fn commits() {
    const DURATION: Duration = Duration::from_secs(5);
    let (db, council) = bench_council().await;
    let started = Instant::now();
    let mut done = 0u64;
    while started.elapsed() < DURATION {
        let mut tx = db.store.begin().await.unwrap();
        townhall_store::sql::query(
            "INSERT INTO event_counters (council_id, last) VALUES ($1, 1) \
             ON CONFLICT (council_id) DO UPDATE SET last = event_counters.last + 1",
        )
        .bind(council.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        done += 1;
    }
    let elapsed = started.elapsed();
    println!(
        "anchor: transactions updating one row: {done} in {elapsed:.2?}: {:.0}/s",
        done as f64 / elapsed.as_secs_f64()
    );
}

/// Writes events `per_transaction` at a time for 5 seconds.
async fn writes(per_transaction: u64) {
    const DURATION: Duration = Duration::from_secs(5);
    let (db, council) = bench_council().await;
    let started = Instant::now();
    let mut written = 0u64;
    while started.elapsed() < DURATION {
        let events: Vec<NewEvent> = (0..per_transaction)
            .map(|n| NewEvent::of(council, Timestamp::now(), &Rang { bell: written + n }).unwrap())
            .collect();
        let mut tx = db.store.begin().await.unwrap();
        townhall_events::record(&mut tx, &events).await.unwrap();
        tx.commit().await.unwrap();
        written += per_transaction;
    }
    let elapsed = started.elapsed();
    println!(
        "events written, {per_transaction} per transaction: {written} in {elapsed:.2?}: {:.0}/s",
        written as f64 / elapsed.as_secs_f64()
    );
}

/// Notes how long after its case was submitted each event reached it.
struct Meter(Arc<Mutex<Vec<Duration>>>);

impl Subscriber for Meter {
    const NAME: &'static str = "bench-meter";

    async fn handle(&self, _: &mut Tx, events: &[Stored]) -> Result<(), SubscriberError> {
        let now = Timestamp::now().datetime();
        let mut lags = self.0.lock().unwrap();
        for e in events {
            let lag = now - e.time.datetime();
            lags.push(Duration::from_micros(lag.whole_microseconds().max(0) as u64));
        }
        Ok(())
    }
}

/// `CLIENTS` Open311 clients post reports for `DURATION`; a subscriber
/// polling as the server's do notes each event's delay.
async fn delivery_under_open311_load() {
    const CLIENTS: usize = 16;
    const DURATION: Duration = Duration::from_secs(15);
    let s = Arc::new(TestServer::start().await);
    let key = s
        .api_key(
            "load test",
            "open311:write",
            std::num::NonZeroU32::new(10_000_000),
        )
        .await;
    let lags = Arc::new(Mutex::new(Vec::new()));
    let meter = tokio::spawn(townhall_events::run(
        s.db.store.clone(),
        Meter(lags.clone()),
        townhall_events::IDLE,
    ));
    let started = Instant::now();
    let clients = (0..CLIENTS).map(|_| {
        let s = s.clone();
        let key = key.clone();
        tokio::spawn(async move {
            let c = s.client();
            let (lat, long) = (NOT_IN_PARISH.0.to_string(), NOT_IN_PARISH.1.to_string());
            let mut made = 0u64;
            while started.elapsed() < DURATION {
                let r = c
                    .post(s.url("/open311/v2/requests.json"))
                    .form(&[
                        ("api_key", key.as_str()),
                        ("service_code", "report-speeding"),
                        ("lat", &lat),
                        ("long", &long),
                        ("attribute[times][]", "morning"),
                        ("attribute[near-school]", "false"),
                        ("description", "Cars race past the school"),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{}", r.status());
                made += 1;
            }
            made
        })
    });
    let mut made = 0;
    for c in futures_util::future::join_all(clients).await {
        made += c.unwrap();
    }
    let elapsed = started.elapsed();
    // How far behind each subscriber is when the load stops, and how long
    // they take to catch up.
    let store = &s.db.store;
    let latest = townhall_events::latest(store, s.council.id).await.unwrap();
    let behind = latest
        - townhall_events::checkpoint(store, "case-messages", s.council.id)
            .await
            .unwrap();
    let stopped = Instant::now();
    for subscriber in [Meter::NAME, "case-messages"] {
        while townhall_events::checkpoint(store, subscriber, s.council.id)
            .await
            .unwrap()
            < latest
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let caught_up = stopped.elapsed();
    meter.abort();
    let mut lags = lags.lock().unwrap().clone();
    lags.sort();
    println!(
        "Open311 POST with {CLIENTS} clients: {made} cases in {elapsed:.2?}: {:.0}/s\n\
         events delivered to a subscriber: {}, delay from submission p50 {:.1?}, p99 {:.1?}, max {:.1?}\n\
         the case messages' subscriber {behind} events behind when the load stopped; both caught up {caught_up:.1?} later",
        made as f64 / elapsed.as_secs_f64(),
        lags.len(),
        percentile(&lags, 0.50),
        percentile(&lags, 0.99),
        lags.last().copied().unwrap_or_default(),
    );
}
