//! Domain events: written with the change that caused them, numbered per
//! council in commit order, read by subscribers from their checkpoints,
//! given to API clients as CloudEvents, and copied to NATS JetStream.

use std::sync::Mutex;

use reqwest::StatusCode;
use serde_json::Value;
use townhall_events::{NewEvent, Stored, Subscriber, SubscriberError};
use townhall_identity::Role;
use townhall_store::Tx;
use townhall_testkit::{TestServer, TestStore};
use townhall_types::{CouncilId, Timestamp};

use crate::accounts::{sign_in, sign_up};
use crate::casework::{report_pothole, staff_client, PASSWORD};

async fn feed(s: &TestServer, key: Option<&str>, query: &str) -> (StatusCode, Value) {
    let mut r = s.client().get(s.url(&format!("/api/v1/events{query}")));
    if let Some(k) = key {
        r = r.bearer_auth(k);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn types(page: &Value) -> Vec<&str> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_feed_gives_each_change_as_a_cloud_event_in_the_order_it_happened() {
    let s = TestServer::start().await;
    let listener = s.api_key("Data warehouse", "events:read", None).await;
    let reporter = s.api_key("FixMyStreet", "open311:write", None).await;
    let (status, page) = feed(&s, Some(&listener), "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["events"], serde_json::json!([]));
    assert_eq!(
        (page["next"].as_i64(), page["latest"].as_i64()),
        (Some(0), Some(0))
    );

    // A report through Open311, one through the pages, a status change by
    // staff, and a resident's consent given then withdrawn.
    let (status, made) =
        crate::open311::post_once(&s, &reporter, None, "Cars race past the school").await;
    assert_eq!(status, StatusCode::OK, "{made}");
    report_pothole(&s).await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        Role::Caseworker,
        Some("Highways"),
        PASSWORD,
    )
    .await;
    let tom = staff_client(&s, "tom@testshire.example").await;
    let r = s
        .submit(
            &tom,
            "/staff/cases/TES-000002",
            "/staff/cases/TES-000002/status",
            &[("status", "inspecting"), ("update", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = s.client();
    sign_up(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    let given = [("choice", "yes"), ("day", ""), ("month", ""), ("year", "")];
    let page = "/account/consent/gp-wellbeing-checks";
    assert_eq!(
        s.submit(&c, page, page, &given).await.status(),
        StatusCode::SEE_OTHER
    );
    let r = s
        .submit(&c, "/account/consent", "/account/consent", &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let (_, page) = feed(&s, Some(&listener), "?limit=1000").await;
    let events = page["events"].as_array().unwrap();
    let ids: Vec<String> = (1..=events.len()).map(|n| n.to_string()).collect();
    assert_eq!(
        events
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ids,
        "numbered from 1 with no gap"
    );
    assert_eq!(page["next"].as_i64(), Some(events.len() as i64));
    assert_eq!(page["latest"], page["next"]);
    let kinds: Vec<&str> = types(&page)
        .into_iter()
        .filter(|t| t.starts_with("townhall.case.") || t.starts_with("townhall.consent."))
        .collect();
    assert_eq!(
        kinds[..4],
        [
            "townhall.case.submitted.v1",
            "townhall.case.submitted.v1",
            "townhall.case.status_changed.v1",
            "townhall.consent.given.v1",
        ]
    );
    assert!(kinds[4..]
        .iter()
        .all(|t| *t == "townhall.consent.withdrawn.v1"));
    assert!(kinds.len() > 4, "the withdrawal is an event: {kinds:?}");

    let first = &events[0];
    let case_id = made[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(first["specversion"], "1.0");
    assert_eq!(first["source"], format!("/councils/{}", s.council.id));
    assert_eq!(first["datacontenttype"], "application/json");
    assert_eq!(first["data"]["reference"], "TES-000001");
    assert_eq!(first["data"]["service"], "report-speeding");
    assert_eq!(first["data"]["channel"], "open311");
    assert_eq!(first["data"]["status"], "received");
    assert_eq!(first["data"]["ward"], "W01");
    assert!(
        first["subject"] == first["data"]["case"] && !case_id.is_empty(),
        "{first}"
    );
    let moved = events
        .iter()
        .find(|e| e["type"] == "townhall.case.status_changed.v1")
        .unwrap();
    assert_eq!(moved["data"]["reference"], "TES-000002");
    assert_eq!(
        (
            &moved["data"]["from"],
            &moved["data"]["to"],
            &moved["data"]["closed"]
        ),
        (
            &Value::from("received"),
            &Value::from("inspecting"),
            &Value::from(false)
        )
    );
    let consent = events
        .iter()
        .find(|e| e["type"] == "townhall.consent.given.v1")
        .unwrap();
    assert_eq!(consent["data"]["purpose"], "gp-wellbeing-checks");
    assert_eq!(consent["data"]["recipient"], "gp");
    assert_eq!(consent["data"]["method"], "web");
    let text = page.to_string();
    for personal in ["lizzy@mail.example", "omar@mail.example", "Cars race past"] {
        assert!(
            !text.contains(personal),
            "an event holds no personal details: {personal}"
        );
    }

    // Monitoring sees how far behind each subscriber is.
    s.queue_messages().await;
    let metrics = s.text(&s.client(), "/metrics").await;
    assert!(
        metrics.contains(
            "townhall_events_behind{council=\"testshire\",subscriber=\"case-messages\"} 0"
        ),
        "{metrics}"
    );

    // Read on from a number, a page at a time.
    let (_, two) = feed(&s, Some(&listener), "?limit=2").await;
    assert_eq!(types(&two).len(), 2);
    assert_eq!(two["next"], 2);
    let (_, rest) = feed(&s, Some(&listener), "?after=2&limit=1000").await;
    assert_eq!(types(&rest).len(), events.len() - 2);
    assert_eq!(rest["events"][0]["id"], "3");
    let (_, none) = feed(&s, Some(&listener), &format!("?after={}", events.len())).await;
    assert_eq!(none["events"], serde_json::json!([]));
    assert_eq!(none["next"].as_i64(), Some(events.len() as i64));

    // A reader ahead of the store (one restored from an older backup) is told.
    let (status, e) = feed(&s, Some(&listener), &format!("?after={}", events.len() + 5)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "conflict");

    // Who may not read it, and what is not a question.
    let r = s
        .client()
        .get(s.url("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    assert!(
        r.headers().get("set-cookie").is_none(),
        "a machine client is given no form cookie"
    );
    let r = s
        .client()
        .get(s.url("/api/v1/events"))
        .header("authorization", format!("Bearer {listener}"))
        .header("authorization", "Bearer someone-elses")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "two keys are not guessed between"
    );
    let (status, e) = feed(&s, Some(&reporter), "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("events:read"),
        "{e}"
    );
    for (query, code) in [
        ("?limit=0", "invalid_limit"),
        ("?limit=1001", "invalid_limit"),
        ("?after=-1", "invalid_after"),
        ("?after=first", "invalid_after"),
        ("?after=+1", "invalid_after"),
        ("?after=1%20", "invalid_after"),
        ("?after=1&after=2", "invalid_request"),
    ] {
        let (status, e) = feed(&s, Some(&listener), query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(e["error"]["code"], code, "{query}: {e}");
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_event_the_platform_writes() {
    let s = TestServer::start().await;
    let document = s.json(&s.client(), "/api/openapi.json").await;
    let listed: Vec<&str> = document["components"]["schemas"]["CloudEvent"]["properties"]["type"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let platform = townhall::platform().unwrap();
    let mut written: Vec<String> = platform.events().map(|e| e.cloud_type()).collect();
    written.sort();
    let mut listed: Vec<String> = listed.into_iter().map(str::to_owned).collect();
    listed.sort();
    assert_eq!(listed, written);
    let variants = document["components"]["schemas"]["CloudEvent"]["oneOf"]
        .as_array()
        .unwrap();
    assert_eq!(
        variants.len(),
        written.len(),
        "each type has its data's schema"
    );
}

/// Two councils, each with its own numbers.
async fn two_councils(db: &TestStore) -> [CouncilId; 2] {
    let mut tx = db.store.begin().await.unwrap();
    let a = townhall_places::create_council(&mut tx, "north", "North Council")
        .await
        .unwrap();
    let b = townhall_places::create_council(&mut tx, "south", "South Council")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    [a.id, b.id]
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Rang {
    bell: u32,
}

impl townhall_events::Event for Rang {
    const TYPE: townhall_events::EventType = townhall_events::EventType {
        name: "test.rang",
        version: 1,
        about: "A bell rang.",
    };
    fn subject(&self) -> String {
        self.bell.to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_written_at_once_are_numbered_per_council_without_gaps_on_each_store() {
    for db in TestStore::each().await {
        let councils = two_councils(&db).await;
        let writers = (0..8u32).map(|w| {
            let store = db.store.clone();
            tokio::spawn(async move {
                for n in 0..25u32 {
                    let council = councils[((w + n) % 2) as usize];
                    let event =
                        NewEvent::of(council, Timestamp::now(), &Rang { bell: w * 100 + n })
                            .unwrap();
                    let mut tx = store.begin().await.unwrap();
                    townhall_events::record(&mut tx, &[event.clone(), event])
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }
            })
        });
        for w in futures_util::future::join_all(writers).await {
            w.unwrap();
        }
        for council in councils {
            let all = townhall_events::after(&db.store, council, 0, 1000)
                .await
                .unwrap();
            let numbers: Vec<i64> = all.iter().map(|e| e.sequence).collect();
            assert_eq!(numbers, (1..=200).collect::<Vec<i64>>(), "{}", db.url);
            assert_eq!(
                townhall_events::latest(&db.store, council).await.unwrap(),
                200
            );
            assert!(all.iter().all(|e| e.read::<Rang>().unwrap().is_ok()));
        }
    }
}

/// Keeps what it is given; fails the first `failures` batches.
struct Keeper {
    seen: Mutex<Vec<(CouncilId, i64)>>,
    failures: Mutex<u32>,
}

impl Subscriber for Keeper {
    const NAME: &'static str = "test-keeper";

    async fn handle(&self, _: &mut Tx, events: &[Stored]) -> Result<(), SubscriberError> {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        {
            let mut failures = self.failures.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                return Err(SubscriberError::Failed("the bell would not ring".into()));
            }
        }
        self.seen
            .lock()
            .unwrap()
            .extend(events.iter().map(|e| (e.council, e.sequence)));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subscriber_is_given_every_event_once_and_a_failed_batch_again_on_each_store() {
    for db in TestStore::each().await {
        let councils = two_councils(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        let events: Vec<NewEvent> = (0..30u32)
            .map(|n| {
                NewEvent::of(
                    councils[(n % 2) as usize],
                    Timestamp::now(),
                    &Rang { bell: n },
                )
            })
            .collect::<Result<_, _>>()
            .unwrap();
        townhall_events::record(&mut tx, &events).await.unwrap();
        tx.commit().await.unwrap();

        let keeper = std::sync::Arc::new(Keeper {
            seen: Mutex::new(Vec::new()),
            failures: Mutex::new(1),
        });
        // The first council's first batch fails: its checkpoint stays, and
        // the other council is served all the same.
        let failed = townhall_events::deliver(&db.store, keeper.as_ref(), 4).await;
        assert!(failed.is_err(), "{}", db.url);
        let mut sorted = councils;
        sorted.sort_by_key(|c| c.to_string());
        let at = |c| townhall_events::checkpoint(&db.store, Keeper::NAME, c);
        assert_eq!(
            at(sorted[0]).await.unwrap(),
            0,
            "a failed batch moves no checkpoint"
        );
        assert_eq!(
            at(sorted[1]).await.unwrap(),
            15,
            "nor holds up another council"
        );
        keeper.seen.lock().unwrap().clear();
        let mut tx = db.store.begin().await.unwrap();
        townhall_store::sql::query("UPDATE event_checkpoints SET position = 0")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Two processes delivering at once give each event once between them.
        let (a, b) = tokio::join!(
            townhall_events::deliver(&db.store, keeper.as_ref(), 4),
            townhall_events::deliver(&db.store, keeper.as_ref(), 4),
        );
        assert_eq!(a.unwrap() + b.unwrap(), 30, "{}", db.url);
        let mut seen = keeper.seen.lock().unwrap().clone();
        seen.sort();
        let mut expected: Vec<(CouncilId, i64)> = councils
            .iter()
            .flat_map(|c| (1..=15).map(move |n| (*c, n)))
            .collect();
        expected.sort();
        assert_eq!(seen, expected, "{}", db.url);
        for c in councils {
            assert_eq!(
                townhall_events::checkpoint(&db.store, Keeper::NAME, c)
                    .await
                    .unwrap(),
                15
            );
        }
        assert_eq!(
            townhall_events::deliver(&db.store, keeper.as_ref(), 4)
                .await
                .unwrap(),
            0
        );
    }
}

#[tokio::test]
async fn every_event_reaches_a_jetstream_stream_once_however_often_it_is_published() {
    use futures_util::StreamExt;
    use townhall_jetstream::{JetStreamError, JetStreamSettings, Publisher};

    let db = TestStore::new().await;
    let councils = two_councils(&db).await;
    let events: Vec<NewEvent> = [(0, 7), (0, 8), (1, 9)]
        .into_iter()
        .map(|(c, bell)| NewEvent::of(councils[c], Timestamp::now(), &Rang { bell }))
        .collect::<Result<_, _>>()
        .unwrap();
    let mut tx = db.store.begin().await.unwrap();
    townhall_events::record(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();

    let unique = uuid::Uuid::now_v7().simple().to_string();
    let settings = JetStreamSettings {
        nats_url: "nats://127.0.0.1:4222".into(),
        stream: format!("TEST_{unique}"),
        subject_prefix: format!("test{unique}"),
    };
    let publisher = Publisher::connect(&settings).await.unwrap();
    assert_eq!(
        townhall_events::deliver(&db.store, &publisher, 100)
            .await
            .unwrap(),
        3
    );
    // Given again, as when a process stops between publishing and moving
    // its checkpoint: the stream keeps each event once.
    let mut tx = db.store.begin().await.unwrap();
    townhall_store::sql::query("UPDATE event_checkpoints SET position = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        townhall_events::deliver(&db.store, &publisher, 100)
            .await
            .unwrap(),
        3
    );

    let js = async_nats::jetstream::new(async_nats::connect(&settings.nats_url).await.unwrap());
    let mut stream = js.get_stream(&settings.stream).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 3);
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config::default())
        .await
        .unwrap();
    let mut fetched = consumer
        .fetch()
        .max_messages(10)
        .expires(std::time::Duration::from_secs(2))
        .messages()
        .await
        .unwrap();
    let mut got = Vec::new();
    while let Some(message) = fetched.next().await {
        let message = message.unwrap();
        let cloud: Value = serde_json::from_slice(&message.payload).unwrap();
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
            .map(|v| v.to_string())
            .unwrap();
        got.push((message.subject.to_string(), id, cloud));
    }
    js.delete_stream(&settings.stream).await.unwrap();
    assert_eq!(got.len(), 3);
    let (subject, id, cloud) = &got[0];
    assert_eq!(
        *subject,
        format!("test{unique}.{}.test.rang.v1", councils[0])
    );
    assert_eq!(*id, format!("{}:1", councils[0]));
    assert_eq!(cloud["specversion"], "1.0");
    assert_eq!(cloud["type"], "townhall.test.rang.v1");
    assert_eq!(cloud["id"], "1");
    assert_eq!(cloud["data"]["bell"], 7);
    assert_eq!(got[2].1, format!("{}:1", councils[1]));
    assert_eq!(got[2].2["data"]["bell"], 9);

    // Settings that cannot name a stream, and a server that is not there.
    let bad = JetStreamSettings {
        stream: "two words".into(),
        ..settings.clone()
    };
    assert!(matches!(
        Publisher::connect(&bad).await,
        Err(JetStreamError::Settings(_))
    ));
    let away = JetStreamSettings::new("nats://127.0.0.1:1");
    let e = Publisher::connect(&away).await.err().unwrap();
    assert!(e.to_string().contains("nats://127.0.0.1:1"), "{e}");
}
