//! `cargo bench --bench hub`: the data-exchange hub, on the store the tests
//! use (SQLite, or PostgreSQL when `TOWNHALL_TEST_DATABASE_URL` is set).
//!
//! - checking a signature alone (RFC 9421 base, Ed25519, Content-Digest), in
//!   process;
//! - signed, consent-checked reads per second with p50/p99, through the real
//!   server on loopback, beside bare axum answering the same bytes to the
//!   same clients in the same run (the anchor);
//! - messages queued for a partner, and webhook deliveries per second to a
//!   receiver on loopback.

// A benchmark stops at the first failure, with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use townhall_exchange::signature::{check_digest, nonce, Request, Signed, SigningKey};
use townhall_exchange::webhooks::{self, Push};
use townhall_testkit::residents::{self, Resident};
use townhall_testkit::{percentile, TestServer};
use townhall_types::Timestamp;

const CLIENTS: usize = 8;
const DURATION: Duration = Duration::from_secs(15);

#[tokio::main]
async fn main() {
    let backend = match std::env::var("TOWNHALL_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => "PostgreSQL",
        _ => "SQLite",
    };
    println!("The data-exchange hub on {backend}\n");
    signature_alone();
    let s = Arc::new(TestServer::start().await);
    let (key, person) = partner_and_person(&s).await;
    reads(&s, &Arc::new(key), &person).await;
    deliveries(&s, &person).await;
}

/// Signing and checking one request, over and over.
fn signature_alone() {
    const ROUNDS: u32 = 20_000;
    let (key, _) = SigningKey::generate("bench").unwrap();
    let unsigned = Request {
        method: "GET",
        authority: "hub.example",
        path: "/api/hub/v1/people/01a2518a-532e-7119-8276-92072d6e8dfc/person",
        query: Some("purpose=gp-wellbeing-checks&fields=name,phone"),
        headers: &[],
        body: b"",
    };
    let started = Instant::now();
    let mut signed = None;
    for _ in 0..ROUNDS {
        signed = Some(key.sign_request(&unsigned, (1_800_000_000, "n")).unwrap());
    }
    let signing = started.elapsed() / ROUNDS;
    let signed = signed.unwrap();
    let headers = [
        ("content-digest", signed.content_digest.as_str()),
        ("signature-input", signed.signature_input.as_str()),
        ("signature", signed.signature.as_str()),
    ];
    let request = Request {
        headers: &headers,
        ..unsigned
    };
    let public = key.public_key();
    let started = Instant::now();
    for _ in 0..ROUNDS {
        let read = Signed::read(&request).unwrap();
        read.check_time(1_800_000_000).unwrap();
        read.verify(&public).unwrap();
        check_digest(&request).unwrap();
    }
    let checking = started.elapsed() / ROUNDS;
    println!(
        "signature alone ({ROUNDS} rounds, one core): signing {signing:.1?}, checking {checking:.1?} (read, window, Ed25519 strict verify, digest) per request"
    );
}

/// A partner key for the GP practice, and a resident in the index who said
/// yes to GP wellbeing checks.
async fn partner_and_person(s: &TestServer) -> (SigningKey, String) {
    let (key, _) = SigningKey::generate("bench-rmc").unwrap();
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    townhall_exchange::partners::add_key(
        &s.db.store,
        s.council.id,
        "riverside-medical-centre",
        "bench-rmc",
        &public,
        (Timestamp::now(), None),
    )
    .await
    .unwrap();
    let made = residents::add(
        s,
        &[Resident {
            email: "martin@mail.example",
            name: ("Martin", "Hughes"),
            born: "1951-03-14",
            home: None,
            mobility_need: None,
            gp_checks: true,
            password: None,
        }],
    )
    .await;
    (key, made[0].1.to_string())
}

/// `CLIENTS` clients for `DURATION`: each request made by `request`, which
/// must answer 200. Requests, seconds, and the latencies sorted.
async fn load<F, Fut>(request: F) -> (usize, Duration, Vec<Duration>)
where
    F: Fn() -> Fut + Send + Sync + 'static + Clone,
    Fut: std::future::Future<Output = reqwest::StatusCode> + Send,
{
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while started.elapsed() < DURATION {
                let t = Instant::now();
                let status = request().await;
                assert_eq!(status, 200, "the request failed");
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
    (all.len(), elapsed, all)
}

fn report(what: &str, (n, elapsed, latencies): &(usize, Duration, Vec<Duration>)) {
    println!(
        "{what} ({CLIENTS} clients): {n} in {elapsed:.1?}: {:.0}/s; p50 {:.2?}, p99 {:.2?}",
        *n as f64 / elapsed.as_secs_f64(),
        percentile(latencies, 0.50),
        percentile(latencies, 0.99)
    );
}

/// Signed reads of two fields of one person, against bare axum answering
/// the same body to the same clients.
async fn reads(s: &Arc<TestServer>, key: &Arc<SigningKey>, person: &str) {
    let path = format!("/api/hub/v1/people/{person}/person");
    let query = "purpose=gp-wellbeing-checks&fields=name,phone".to_owned();
    let url = s.url(&format!("{path}?{query}"));
    let client = s.client();
    let signed_get = {
        let (client, url, key) = (client.clone(), url.clone(), key.clone());
        move || {
            let (client, url, path, query, key) = (
                client.clone(),
                url.clone(),
                path.clone(),
                query.clone(),
                key.clone(),
            );
            async move {
                let signed = key
                    .sign_request(
                        &Request {
                            method: "GET",
                            authority: "",
                            path: &path,
                            query: Some(&query),
                            headers: &[],
                            body: b"",
                        },
                        (Timestamp::now().unix_seconds(), &nonce()),
                    )
                    .unwrap();
                client
                    .get(&url)
                    .header("content-digest", signed.content_digest)
                    .header("signature-input", signed.signature_input)
                    .header("signature", signed.signature)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        }
    };
    let body = client.get(&url).send().await.map(|r| r.status()).unwrap();
    assert_eq!(body, 401, "an unsigned read is refused");
    let hub = load(signed_get).await;
    // The anchor: bare axum on loopback, answering the bytes the hub answers.
    let answer = serde_json::json!({
        "person": person, "record_type": "person", "purpose": "gp-wellbeing-checks",
        "agreement": "gp-wellbeing-checks", "fields": {"name": "Martin Hughes", "phone": "01632 960123"}
    })
    .to_string();
    let app = axum::Router::new().route(
        "/bare",
        axum::routing::get(move || {
            let answer = answer.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    answer,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_url = format!("http://{}/bare", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let bare = {
        let client = client.clone();
        move || {
            let (client, url) = (client.clone(), bare_url.clone());
            async move { client.get(&url).send().await.unwrap().status() }
        }
    };
    let anchor = load(bare).await;
    report(
        "signed, consent-checked, audited reads through the hub",
        &hub,
    );
    report("bare axum, the same body (anchor)", &anchor);
}

/// Messages queued for the practice, then delivered to a receiver on
/// loopback that takes each at once.
async fn deliveries(s: &Arc<TestServer>, person: &str) {
    const MESSAGES: usize = 2_000;
    let app = axum::Router::new().route("/hooks", axum::routing::post(|| async { "" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    webhooks::set_webhook(
        &s.db.store,
        s.council.id,
        "riverside-medical-centre",
        &url,
        None,
    )
    .await
    .unwrap();
    let settings = s.settings();
    let hub = townhall_exchange::hub::Hub {
        store: &s.db.store,
        council: s.council.id,
        consent: settings.require().unwrap(),
        index: settings.require().unwrap(),
        agreements: settings.require().unwrap(),
    };
    let key: &townhall_exchange::HubKey = settings.require().unwrap();
    let person = person.parse().unwrap();
    let started = Instant::now();
    for n in 0..MESSAGES {
        let push = Push {
            partner: "riverside-medical-centre",
            person,
            record_type: "wellbeing_concern",
            purpose: "gp-wellbeing-checks",
            fields: [(
                "reason_for_concern".to_owned(),
                format!("bench concern {n}"),
            )]
            .into(),
            by: (townhall_audit::Actor::System("bench".into()), "A benchmark"),
        };
        let mut tx = s.db.store.begin().await.unwrap();
        webhooks::push(&mut tx, &hub, &push, Timestamp::now())
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
    }
    let queued = started.elapsed();
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut delivered = 0;
    while delivered < MESSAGES {
        let round =
            webhooks::deliver_due(&s.db.store, s.council.id, key, &client, Timestamp::now())
                .await
                .unwrap();
        assert_eq!(
            (round.retrying, round.dead),
            (0, 0),
            "every message is taken"
        );
        delivered += round.delivered;
    }
    let delivering = started.elapsed();
    println!(
        "messages to a partner: {MESSAGES} queued (decided, consent-checked, audited) in {queued:.1?}: {:.0}/s; delivered signed to a receiver on loopback in {delivering:.1?}: {:.0}/s",
        MESSAGES as f64 / queued.as_secs_f64(),
        MESSAGES as f64 / delivering.as_secs_f64()
    );
}
