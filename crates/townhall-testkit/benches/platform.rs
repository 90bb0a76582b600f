//! `cargo bench`: the platform's hot paths, measured on the store the tests use
//! (SQLite, or PostgreSQL when `TOWNHALL_TEST_DATABASE_URL` is set).
//!
//! - sign-in requests per second and latency, through the real HTTP server on loopback;
//! - consent decisions per second, in process, on the seeded demo council;
//! - audit appends per second, one per transaction and in batches;
//! - the time to verify an audit log of 1,000,000 entries.
//!
//! Set `TOWNHALL_BENCH_AUDIT_ENTRIES` to verify a different number of entries.

// A benchmark stops at the first failure, with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use townhall_audit::{Action, Actor, AuditEvent};
use townhall_consent::{DecisionRequest, Policy};
use townhall_identity::accounts::{self, NewAccount, UserKind};
use townhall_identity::password;
use townhall_testkit::{csrf_of, percentile, TestServer, TestStore};
use townhall_types::{CouncilId, EmailAddress, Timestamp, UserId};

#[tokio::main]
async fn main() {
    let backend = match std::env::var("TOWNHALL_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => "PostgreSQL",
        _ => "SQLite",
    };
    println!("Townhall benchmarks on {backend}\n");
    sign_in().await;
    consent_decisions().await;
    let entries = std::env::var("TOWNHALL_BENCH_AUDIT_ENTRIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    audit(entries).await;
}

/// Signs in over and over from `CLIENTS` concurrent browsers for `DURATION`.
async fn sign_in() {
    const CLIENTS: usize = 8;
    const DURATION: Duration = Duration::from_secs(20);
    const PASSWORD: &str = "a long benchmark password";
    let s = Arc::new(TestServer::start_with_sign_in_limit(u32::MAX).await);
    let email = EmailAddress::parse("bench@mail.example").unwrap();
    let hash = password::hash(PASSWORD);
    let mut tx = s.db.store.begin().await.unwrap();
    accounts::create(
        &mut tx,
        s.council.id,
        &NewAccount {
            kind: UserKind::Resident,
            email: &email,
            display_name: "Bench Mark",
            password_hash: Some(&hash),
            verified: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let c = s.client();
            let page = c.get(s.url("/sign-in")).send().await.unwrap();
            let token = csrf_of(&page.text().await.unwrap());
            let form = [
                ("email", "bench@mail.example"),
                ("password", PASSWORD),
                ("csrf", token.as_str()),
            ];
            let mut latencies = Vec::new();
            while started.elapsed() < DURATION {
                let t = Instant::now();
                let r = c.post(s.url("/sign-in")).form(&form).send().await.unwrap();
                assert_eq!(r.status(), 303, "sign-in failed");
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    println!(
        "sign-in over HTTP ({CLIENTS} clients, argon2id m=19456 KiB t=2 p=1): {} sign-ins in {:.1?}: {:.1}/s; p50 {:.1?}, p99 {:.1?}",
        all.len(),
        elapsed,
        all.len() as f64 / elapsed.as_secs_f64(),
        percentile(&all, 0.50),
        percentile(&all, 0.99)
    );
}

/// Random decisions for the demo council's residents, purposes and recipients.
async fn consent_decisions() {
    const DECISIONS: usize = 50_000;
    let db = TestStore::new().await;
    let config = tempfile::tempdir().unwrap();
    let council = *townhall::platform()
        .unwrap()
        .seed_demo(&db.store, config.path(), &())
        .await
        .unwrap()
        .require::<townhall_types::CouncilId>()
        .unwrap();
    let policy = Policy::parse("consent.toml", townhall_consent::demo::POLICY).unwrap();
    let residents: Vec<(String,)> =
        townhall_store::sql::query_as("SELECT user_id FROM residents WHERE council_id = $1")
            .bind(council.to_string())
            .fetch_all(db.store.reader())
            .await
            .unwrap();
    let residents: Vec<UserId> = residents
        .into_iter()
        .map(|(id,)| id.parse().unwrap())
        .collect();
    // A fixed pseudo-random walk, so every run asks the same questions.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut allowed = 0;
    let started = Instant::now();
    for _ in 0..DECISIONS {
        let purpose = &policy.purposes[next(policy.purposes.len())];
        let recipient = &purpose.recipients[next(purpose.recipients.len())];
        let fields = vec![purpose.fields[next(purpose.fields.len())].clone()];
        let decision = townhall_consent::decide(
            &db.store,
            &policy,
            &DecisionRequest {
                council,
                resident: Some(residents[next(residents.len())]),
                recipient,
                purpose: &purpose.id,
                fields: &fields,
                at: Timestamp::now(),
            },
        )
        .await
        .unwrap();
        allowed += usize::from(decision.allow);
    }
    let elapsed = started.elapsed();
    println!(
        "consent decisions in process (1,000 residents, {} purposes): {DECISIONS} in {:.2?}: {:.0}/s, {:.1} µs each ({allowed} allowed)",
        policy.purposes.len(),
        elapsed,
        DECISIONS as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / DECISIONS as f64
    );
}

fn event(council: CouncilId, n: usize) -> AuditEvent {
    AuditEvent::new(
        council,
        (
            Actor::Staff(format!("staff-{}", n % 40)),
            "Priya Shah, Caseworker, Housing",
        ),
        Action::Read,
        townhall_audit::RecordRef::Resident(townhall_types::UserId::new()),
    )
    .about(Some(format!("resident-{}", n % 1000)))
    .fields(["phone", "uprn"])
    .purpose("housing support")
}

/// Appends one entry per transaction, then `entries` in batches, then verifies them all.
async fn audit(entries: usize) {
    const SINGLE: usize = 5_000;
    const BATCH: usize = 10_000;
    let db = TestStore::new().await;
    let mut tx = db.store.begin().await.unwrap();
    let council = townhall_places::create_council(&mut tx, "bench", "Bench Council")
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();

    let started = Instant::now();
    for n in 0..SINGLE {
        let mut tx = db.store.begin().await.unwrap();
        townhall_audit::append(&mut tx, &event(council, n))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "audit appends, one transaction each: {SINGLE} in {elapsed:.2?}: {:.0}/s",
        SINGLE as f64 / elapsed.as_secs_f64()
    );

    let started = Instant::now();
    let mut n = SINGLE;
    while n < entries {
        let mut tx = db.store.begin().await.unwrap();
        for _ in 0..BATCH.min(entries - n) {
            townhall_audit::append(&mut tx, &event(council, n))
                .await
                .unwrap();
            n += 1;
        }
        tx.commit().await.unwrap();
    }
    let elapsed = started.elapsed();
    let batched = entries.saturating_sub(SINGLE);
    println!(
        "audit appends, {BATCH} per transaction: {batched} in {elapsed:.2?}: {:.0}/s",
        batched as f64 / elapsed.as_secs_f64()
    );

    let started = Instant::now();
    let report = townhall_audit::verify(&db.store, &()).await.unwrap();
    let elapsed = started.elapsed();
    assert!(report.intact());
    println!(
        "audit verify: {} entries in {elapsed:.2?}: {:.0} entries/s",
        report.entries,
        report.entries as f64 / elapsed.as_secs_f64()
    );
}
