//! `cargo bench --bench triggers`: the council's trigger rules evaluated
//! as bin lifts arrive, on the store the tests use (SQLite, or PostgreSQL
//! when `TOWNHALL_TEST_DATABASE_URL` is set), with 100 rules loaded.
//!
//! Throughput: 200 homes, each with a tagged bin and a resident aged 75
//! (in half of them, some with a mobility need, some who said yes to GP
//! checks), and the vehicles' reports of their last collections, all "not
//! put out" (five for half the homes, one for the others), stored first;
//! then the clock runs while the rules' subscriber works through the 600
//! events, every rule evaluated at each event's
//! home, firing and referring through the hub where the facts hold. Beside
//! it, in the same run, the anchor: a subscriber that reads the same
//! events and does nothing with them (the event log's own cost).
//!
//! Latency: with the rules' subscriber running as the server runs it, the
//! next report of each home of the second half (where every resident
//! qualifies, and the report completes two collections in a row) is
//! published to the local Mosquitto one at a time,
//! and timed until its lift is stored (the anchor: the sensors' own path)
//! and until the referral it makes is stored, where the practice sees it.

// A benchmark stops at the first failure, with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, MqttOptions, QoS};
use townhall_events::{Stored, Subscriber, SubscriberError};
use townhall_sensors::device::{self, NewDevice};
use townhall_sensors::{BinLiftRecorded, Ingest, Kind, Pack};
use townhall_store::Tx;
use townhall_testkit::residents::{self, Resident};
use townhall_testkit::{collected, percentile, TestServer};
use townhall_triggers::live::Rules;
use townhall_types::Timestamp;

const HOMES: usize = 200;
const RULES: usize = 100;
/// Reports stored before the clock runs: each home's last collections.
const WEEKS: i64 = 5;

#[tokio::main]
async fn main() {
    let backend = match std::env::var("TOWNHALL_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => "PostgreSQL",
        _ => "SQLite",
    };
    println!("Trigger rules as bin lifts arrive, {RULES} rules, {HOMES} homes, on {backend}\n");
    let s = TestServer::start_with_triggers(&rules()).await;
    let uprns = homes(&s).await;
    let tags = tags(&s, &uprns).await;
    let store = s.db.store.clone();
    let ingest = Ingest::new(&store);
    // The first half's last five collections, the second half's last one.
    let (busy, timed) = tags.split_at(HOMES / 2);
    for week in (1..=WEEKS).rev() {
        let day = collected() - time::Duration::weeks(week);
        let tags = if week == 1 { &tags[..] } else { busy };
        for tag in tags {
            ingest.take(pack(&s, tag, day, 10)).await.unwrap();
        }
    }
    let events = usize::try_from(s.count("bin_lifts").await).unwrap();

    let anchor = drain(&s, &Decode(AtomicUsize::new(0))).await;
    let rules = Rules::for_councils(&store, [s.settings()]).unwrap();
    let took = drain(&s, &rules).await;
    let fired = s.count("trigger_firings").await;
    println!(
        "| events | anchor: events read/s | Townhall: events/s | rule evaluations/s | firings |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {events} | {:.0} | {:.0} | {:.0} | {fired} |",
        events as f64 / anchor.as_secs_f64(),
        events as f64 / took.as_secs_f64(),
        (events * RULES) as f64 / took.as_secs_f64(),
    );

    // Latency, as the server runs: packs from the broker, the subscriber
    // polling.
    let topic = s.read_broker();
    let (client, mut connection) = AsyncClient::new(
        MqttOptions::new(
            format!("bench-{}", uuid::Uuid::new_v4().simple()),
            "127.0.0.1",
            1883,
        ),
        100,
    );
    tokio::spawn(async move { while connection.poll().await.is_ok() {} });
    let publish = |tag: &str, day: time::Date, outcome: &str| {
        client.publish(
            &topic,
            QoS::AtLeastOnce,
            false,
            payload(tag, (day, 10), outcome),
        )
    };
    // Until the subscription is made, packs go nowhere: a report of the
    // first home, on a day no bin is due, is sent until it is stored.
    let off = collected() - time::Duration::days(3);
    let (warm, timed) = timed.split_first().unwrap();
    let before = lifts(&s).await;
    while lifts(&s).await == before {
        publish(warm, off, "lifted").await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The anchor, with no rule running: each home's report of that day,
    // timed until it is stored.
    let mut stored = Vec::new();
    for (n, tag) in timed.iter().enumerate() {
        let lifts = lifts(&s).await;
        let sent = Instant::now();
        publish(tag, off, "lifted").await.unwrap();
        wait(&s, "bin_lifts", lifts + 1, n).await;
        stored.push(sent.elapsed());
    }
    let running = tokio::spawn(townhall_events::run(
        store.clone(),
        rules,
        townhall_events::IDLE,
    ));
    // Once it has read those, each home's bin not put out at its next
    // collection, timed until the referral is stored.
    while townhall_events::backlog(&store)
        .await
        .unwrap()
        .iter()
        .any(|b| b.subscriber == "triggers" && b.behind > 0)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut referred = Vec::new();
    for (n, tag) in timed.iter().enumerate() {
        let firings = s.count("trigger_firings").await;
        let sent = Instant::now();
        publish(tag, collected(), "not-presented").await.unwrap();
        wait(&s, "trigger_firings", firings + 1, n).await;
        referred.push(sent.elapsed());
    }
    running.abort();
    stored.sort();
    referred.sort();
    println!("\n| from the message | p50 | p99 |");
    println!("| --- | ---: | ---: |");
    for (what, times) in [
        ("to the lift stored (anchor)", &stored),
        ("to the referral stored, at the practice", &referred),
    ] {
        println!(
            "| {what} | {:.1?} | {:.1?} |",
            percentile(times, 0.50),
            percentile(times, 0.99)
        );
    }
}

/// The rules: the demo's, a hundred times over, each with a window, an age
/// and a record fact of its own.
fn rules() -> Vec<(String, String)> {
    (0..RULES)
        .map(|k| {
            let when = match k % 3 {
                0 => format!("times = {}\nover = \"consecutive-collections\"", 2 + k % 3),
                1 => format!("times = {}\nwithin_days = {}", 2 + k % 2, 21 + k % 14),
                _ => "times = 2\nover = \"consecutive-collections\"".to_owned(),
            };
            let text = format!(
                r#"version = 1
id = "rule-{k}"
name = "Rule {k}"
live = true

[when]
signal = "bin-not-presented"
{when}

[[facts]]
fact = "age"
at_least = {}

[[facts]]
fact = "record"
system = "adult_social_care"
field = "mobility_need"
is = ["yes"]

[[facts]]
fact = "consent"
purpose = "gp-wellbeing-checks"

[then]
refer_to = "riverside-medical-centre"
agreement = "gp-wellbeing-checks"
not_again_within_days = 56
"#,
                60 + k % 20
            );
            (format!("rule-{k}.toml"), text)
        })
        .collect()
}

/// Adds `HOMES` homes to the test council's first ward, each with a
/// resident aged 75: in the first half, a third with a mobility need on
/// adult social care's records and half having said yes to GP checks; in
/// the second, whose reports are timed, everyone both. Their UPRNs.
async fn homes(s: &TestServer) -> Vec<String> {
    let mut tx = s.db.store.begin().await.unwrap();
    let mut uprns = Vec::with_capacity(HOMES);
    for n in 0..HOMES {
        let uprn = format!("2000{n:08}");
        let address = townhall_places::Address {
            uprn: uprn.clone(),
            line1: format!("{} Bench Road", n + 1),
            line2: None,
            town: "Testford".into(),
            postcode: "TE1 2BB".into(),
            latitude: 52.0 + 0.0001 * n as f64,
            longitude: -0.95,
            ward_code: Some("W01".into()),
            parish_code: None,
        };
        townhall_places::add_address(&mut tx, s.council.id, &address)
            .await
            .unwrap();
        uprns.push(uprn);
    }
    tx.commit().await.unwrap();
    let emails: Vec<String> = (0..HOMES).map(|n| format!("r{n}@mail.example")).collect();
    let surnames: Vec<String> = (0..HOMES).map(|n| format!("Bench{n}")).collect();
    let people: Vec<Resident<'_>> = (0..HOMES)
        .map(|n| Resident {
            email: &emails[n],
            name: ("Pat", &surnames[n]),
            born: "1951-03-14",
            home: Some(&uprns[n]),
            mobility_need: (n % 3 == 0 || n >= HOMES / 2).then_some("yes"),
            gp_checks: n % 2 == 0 || n >= HOMES / 2,
            password: None,
        })
        .collect();
    residents::add(s, &people).await;
    uprns
}

/// A general-waste tag at each home; their ids.
async fn tags(s: &TestServer, uprns: &[String]) -> Vec<String> {
    let collections: &townhall_waste::Collections = s.settings().get().unwrap();
    let boundaries: &townhall_places::Boundaries = s.settings().get().unwrap();
    let mut ids = Vec::with_capacity(uprns.len());
    for (n, uprn) in uprns.iter().enumerate() {
        let id = format!("urn:dev:tag:B-{n}");
        device::register(
            &s.db.store,
            s.council.id,
            (boundaries, collections),
            NewDevice {
                id: id.clone(),
                kind: Kind::BinTag,
                label: format!("General waste bin {n}"),
                owner: "Waste and Recycling".into(),
                home: Some((uprn.clone(), "general".into())),
                point: None,
                threshold: None,
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    ids
}

/// A vehicle's report of `tag`'s bin on `day` at `hour` UTC: `outcome`.
fn payload(tag: &str, (day, hour): (time::Date, u8), outcome: &str) -> String {
    let at = day
        .with_hms(hour, 0, 0)
        .unwrap()
        .assume_utc()
        .unix_timestamp();
    format!(r#"[{{"bn":"{tag}:","bt":{at},"n":"lift","vs":"{outcome}"}}]"#)
}

fn pack(s: &TestServer, tag: &str, day: time::Date, hour: u8) -> Pack {
    Pack {
        council: s.council.id,
        source: "bench".into(),
        payload: payload(tag, (day, hour), "not-presented").into_bytes(),
        received_at: Timestamp::now(),
    }
}

/// A subscriber that reads each lift event and does nothing with it.
struct Decode(AtomicUsize);

impl Subscriber for Decode {
    const NAME: &'static str = "bench-decode";

    async fn handle(&self, _: &mut Tx, events: &[Stored]) -> Result<(), SubscriberError> {
        for event in events {
            if let Some(lift) = event.read::<BinLiftRecorded>() {
                lift.map_err(|e| SubscriberError::Failed(e.to_string()))?;
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

/// How long `subscriber` takes to act on every event there is.
async fn drain<S: Subscriber>(s: &TestServer, subscriber: &S) -> Duration {
    let started = Instant::now();
    while townhall_events::deliver(&s.db.store, subscriber, 200)
        .await
        .unwrap()
        > 0
    {}
    started.elapsed()
}

async fn lifts(s: &TestServer) -> i64 {
    s.count("bin_lifts").await
}

/// Waits until `table` holds `want` rows of the council, for at most 30 s.
async fn wait(s: &TestServer, table: &str, want: i64, n: usize) {
    let started = Instant::now();
    while s.count(table).await < want {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "report {n}: {table} never reached {want}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
