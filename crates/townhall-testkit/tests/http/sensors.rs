//! Sensors over MQTT: packs published with Mosquitto's own client reach the
//! store once each, what does not fit is counted, and a litter bin past its
//! threshold becomes one case per filling.

use std::time::Duration;

use townhall_sensors::device::{self, NewDevice};
use townhall_sensors::full::FullBins;
use townhall_sensors::Kind;
use townhall_store::sql;
use townhall_testkit::{TestServer, HOME_IN_ZONE, IN_PARISH};
use townhall_types::Timestamp;
use townhall_waste::Collections;

const BIN: &str = "urn:dev:litter-bin:T-1";
const TAG: &str = "urn:dev:tag:T-1";

/// Publishes `payload` on `topic` with `mosquitto_pub`, at QoS 1.
pub(crate) async fn publish(topic: &str, payload: &str) {
    let out = tokio::process::Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            "1883",
            "-q",
            "1",
            "-t",
            topic,
            "-m",
            payload,
        ])
        .output()
        .await
        .expect("mosquitto_pub runs (Debian's mosquitto-clients)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn count(s: &TestServer, query: &str) -> i64 {
    let (n,): (i64,) = sql::query_as(query)
        .bind(s.council.id.to_string())
        .fetch_one(s.db.store.reader())
        .await
        .unwrap();
    n
}

/// Waits until `query` counts `want`, for at most 15 seconds.
pub(crate) async fn until(s: &TestServer, query: &str, want: i64) {
    for _ in 0..150 {
        if count(s, query).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{query} never counted {want}: {}", count(s, query).await);
}

/// Registers a litter bin and a bin tag.
pub async fn register_devices(s: &TestServer) {
    let collections: &Collections = s.settings().get().unwrap();
    let boundaries: &townhall_places::Boundaries = s.settings().get().unwrap();
    for new in [
        NewDevice {
            id: BIN.into(),
            kind: Kind::LitterBin,
            label: "Litter bin, High Street".into(),
            owner: "Waste and Recycling".into(),
            home: None,
            point: Some(IN_PARISH),
            threshold: None,
        },
        NewDevice {
            id: TAG.into(),
            kind: Kind::BinTag,
            label: "General waste bin, 1 High Street".into(),
            owner: "Waste and Recycling".into(),
            home: Some((HOME_IN_ZONE.into(), "general".into())),
            point: None,
            threshold: None,
        },
    ] {
        device::register(&s.db.store, s.council.id, (boundaries, collections), new)
            .await
            .unwrap();
    }
}

/// A server reading the broker under a topic prefix of its own, with a
/// litter bin and a bin tag registered; returns the topic to publish to.
pub(crate) async fn listening(s: &TestServer) -> String {
    register_devices(s).await;
    let topic = s.read_broker();
    // Until the subscription is made, packs go nowhere: publish a first
    // reading until it is stored (again and again, as it is stored once).
    let first = format!(
        r#"[{{"n":"{BIN}:fill","u":"%","v":10,"t":{}}}]"#,
        t0() - 7200
    );
    for _ in 0..100 {
        publish(&topic, &first).await;
        if count(
            s,
            "SELECT COUNT(*) FROM sensor_readings WHERE council_id = $1",
        )
        .await
            == 1
        {
            return topic;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server never read the broker");
}

/// A time an hour ago, in seconds since the epoch.
pub(crate) fn t0() -> i64 {
    Timestamp::now().unix_seconds() - 3600
}

#[tokio::test]
async fn readings_published_over_mqtt_are_stored_once_and_refusals_counted() {
    let s = TestServer::start().await;
    let topic = listening(&s).await;
    let t = t0();
    let pack = format!(
        r#"[{{"bn":"{BIN}:","bt":{t},"n":"fill","u":"%","v":85}},
            {{"n":"fill","u":"%","v":85}},
            {{"n":"fill","u":"%","v":40,"t":-3600}},
            {{"n":"laeq","u":"dB","v":60}},
            {{"bn":"urn:dev:litter-bin:NOBODY:","n":"fill","u":"%","v":50}},
            {{"bn":"{TAG}:","n":"lift","vs":"not-presented"}},
            {{"n":"round","vs":"general-weekly"}},
            {{"n":"uprn","vs":"{HOME_IN_ZONE}"}}]"#
    );
    publish(&topic, &pack).await;
    publish(&topic, "this is not SenML").await;
    let readings = "SELECT COUNT(*) FROM sensor_readings WHERE council_id = $1";
    let refused =
        "SELECT CAST(COALESCE(SUM(readings), 0) AS BIGINT) FROM sensor_refusals WHERE council_id = $1";
    until(&s, refused, 3).await;
    until(&s, readings, 3).await;
    let lifts: Vec<(String, String, Option<String>, String)> = sql::query_as(
        "SELECT device_id, uprn, round_id, outcome FROM bin_lifts WHERE council_id = $1",
    )
    .bind(s.council.id.to_string())
    .fetch_all(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(
        lifts,
        vec![(
            TAG.to_owned(),
            HOME_IN_ZONE.to_owned(),
            Some("general-weekly".to_owned()),
            "not-presented".to_owned()
        )]
    );
    let mut why: Vec<(String, String, i64)> = sql::query_as(
        "SELECT device_id, reason, readings FROM sensor_refusals WHERE council_id = $1",
    )
    .bind(s.council.id.to_string())
    .fetch_all(s.db.store.reader())
    .await
    .unwrap();
    why.sort();
    assert_eq!(
        why,
        vec![
            (topic.clone(), "unreadable".to_owned(), 1),
            (
                "urn:dev:litter-bin:NOBODY".to_owned(),
                "unknown-device".to_owned(),
                1
            ),
            (BIN.to_owned(), "not-its-measurement".to_owned(), 1),
        ]
    );
    let events = "SELECT COUNT(*) FROM domain_events WHERE council_id = $1 AND event_type LIKE 'townhall.sensor.%'";
    assert_eq!(count(&s, events).await, 4, "three levels and a lift");

    // The same pack again (a vehicle resending after a lost connection)
    // stores nothing more and tells of nothing more; only refusals count.
    publish(&topic, &pack).await;
    until(&s, refused, 5).await;
    assert_eq!(count(&s, readings).await, 3);
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM bin_lifts WHERE council_id = $1").await,
        1
    );
    assert_eq!(count(&s, events).await, 4);

    // A round holding what text may not (a NUL, which PostgreSQL would not
    // store) is refused and counted, and holds up nothing after it.
    publish(
        &topic,
        &format!(r#"[{{"bn":"{TAG}:","bt":{t},"n":"lift","vs":"lifted","t":60}},{{"n":"round","vs":"W\u0000","t":60}}]"#),
    )
    .await;
    publish(
        &topic,
        &format!(r#"[{{"n":"{BIN}:fill","u":"%","v":30,"t":{}}}]"#, t + 60),
    )
    .await;
    until(&s, readings, 4).await;
    until(&s, refused, 6).await;

    // The late reading (40%, before the 85%) took its place in time.
    let history = townhall_sensors::readings::of_device(&s.db.store, s.council.id, BIN, 10)
        .await
        .unwrap();
    let values: Vec<f64> = history.iter().map(|r| r.value).collect();
    assert_eq!(values, vec![30.0, 85.0, 40.0, 10.0]);
}

#[tokio::test]
async fn a_litter_bin_past_its_threshold_is_one_case_per_filling() {
    let s = TestServer::start().await;
    let topic = listening(&s).await;
    let bins = FullBins::for_councils(&s.db.store, [s.settings()]).unwrap();
    let cases = "SELECT COUNT(*) FROM cases WHERE council_id = $1 AND service_id = 'report-full-litter-bin'";
    let readings = "SELECT COUNT(*) FROM sensor_readings WHERE council_id = $1";
    let t = t0();
    let mut stored = 1;
    let mut step = async |at: i64, v: u8, want: i64| {
        publish(
            &topic,
            &format!(r#"[{{"n":"{BIN}:fill","u":"%","v":{v},"t":{at}}}]"#),
        )
        .await;
        stored += 1;
        until(&s, readings, stored).await;
        townhall_events::deliver(&s.db.store, &bins, 200)
            .await
            .unwrap();
        assert_eq!(count(&s, cases).await, want, "after {v}% at {at}");
    };
    step(t, 85, 1).await; // full: a case
    step(t + 600, 95, 1).await; // fuller: the same filling
    step(t - 600, 90, 1).await; // late, behind the 85%: nothing
    step(t + 900, 79, 1).await; // wavering about the threshold is not emptying
    step(t + 1000, 81, 1).await;
    step(t + 1200, 5, 1).await; // emptied
    step(t + 1800, 81, 1).await; // full again, but the first case is still open

    // The crew closes the first case: the next full reading is a new case.
    s.add_staff(
        "wes@testshire.example",
        "Wes Adams",
        townhall_identity::Role::Caseworker,
        Some("Waste and Recycling"),
        crate::casework::PASSWORD,
    )
    .await;
    let crew = crate::casework::staff_client(&s, "wes@testshire.example").await;
    let (reference,): (String,) =
        sql::query_as("SELECT reference FROM cases WHERE council_id = $1")
            .bind(s.council.id.to_string())
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    let r = s
        .submit(
            &crew,
            &format!("/staff/cases/{reference}"),
            &format!("/staff/cases/{reference}/status"),
            &[("status", "emptied")],
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    step(t + 2400, 10, 1).await;
    step(t + 3000, 88, 2).await;

    let (channel, team, details): (String, String, String) = sql::query_as(
        "SELECT c.channel, t.name, c.answers FROM cases c JOIN teams t ON t.team_id = c.team_id \
         WHERE c.council_id = $1 ORDER BY c.created_at LIMIT 1",
    )
    .bind(s.council.id.to_string())
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(channel, "sensor");
    assert_eq!(team, "Waste and Recycling");
    assert!(
        details.contains("Litter bin, High Street (urn:dev:litter-bin:T-1) measured 85% full"),
        "{details}"
    );
}

/// Takes `pack` in as the broker would hand it over.
pub async fn take(s: &TestServer, pack: &str) {
    townhall_sensors::Ingest::new(&s.db.store)
        .take(townhall_sensors::Pack {
            council: s.council.id,
            source: "test".into(),
            payload: pack.as_bytes().to_vec(),
            received_at: Timestamp::now(),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn staff_see_each_kind_on_a_map_with_its_table_and_never_a_homes_lifts() {
    let s = TestServer::start().await;
    register_devices(&s).await;
    let t = t0();
    take(
        &s,
        &format!(
            r#"[{{"bn":"{BIN}:","bt":{t},"n":"fill","u":"%","v":92}},
                {{"bn":"{TAG}:","n":"lift","vs":"not-presented"}},{{"n":"round","vs":"general-weekly"}},
                {{"bn":"urn:dev:noise:GHOST:","n":"laeq","u":"dB","v":70}}]"#
        ),
    )
    .await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        townhall_identity::Role::Caseworker,
        Some("Highways"),
        crate::casework::PASSWORD,
    )
    .await;
    let staff = crate::casework::staff_client(&s, "tom@testshire.example").await;

    let home = s.text(&staff, "/staff").await;
    assert!(
        home.contains(r#"<a href="/staff/sensors">Sensors</a>"#),
        "{home}"
    );
    let overview = s.text(&staff, "/staff/sensors").await;
    assert!(
        overview.contains(r#"<a href="/staff/sensors/litter-bin">Litter bins</a></dt><dd>1</dd>"#),
        "{overview}"
    );
    assert!(
        overview.contains("<code>urn:dev:noise:GHOST</code>"),
        "{overview}"
    );
    assert!(
        overview.contains("No device registered under this name"),
        "{overview}"
    );

    let bins = s.text(&staff, "/staff/sensors/litter-bin").await;
    // The map links the bin to its row, marked full (not by colour alone),
    // and says in words what it shows.
    let row = BIN;
    assert!(
        bins.contains(&format!(
            r##"<a href="#{row}"><title>Litter bin, High Street: full</title>"##
        )),
        "{bins}"
    );
    assert!(
        bins.contains("with its 1 litter bin; 1 full, marked in red with an exclamation mark"),
        "{bins}"
    );
    assert!(bins.contains(&format!(r#"<tr id="{row}">"#)), "{bins}");
    assert!(
        bins.contains(r#"<strong class="tag tag--red">Full</strong>"#),
        "{bins}"
    );
    assert!(bins.contains(r#"<td class="numeric">92</td>"#), "{bins}");

    let tags = s.text(&staff, "/staff/sensors/bin-tag").await;
    assert!(
        tags.contains(
            "<td>general-weekly</td><td class=\"numeric\">0</td><td class=\"numeric\">1</td>"
        ),
        "{tags}"
    );
    assert!(
        !tags.contains(HOME_IN_ZONE) && !tags.contains(TAG) && !tags.contains("<svg"),
        "{tags}"
    );

    assert_eq!(
        staff
            .get(s.url("/staff/sensors/lamp-post"))
            .send()
            .await
            .unwrap()
            .status(),
        reqwest::StatusCode::NOT_FOUND
    );
    let anyone = s
        .client()
        .get(s.url("/staff/sensors"))
        .send()
        .await
        .unwrap();
    assert_eq!(anyone.status(), reqwest::StatusCode::SEE_OTHER);
    assert!(anyone.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/staff/sign-in"));
}

/// Labels and owners are read as any text from outside: pasted from a word
/// processor (a manual line break, a no-break space, curly quotes) or in
/// another script, they are kept on one line (the white space around a
/// break made one space); a control character or a direction override is
/// refused with what is wrong, and nothing is registered.
#[tokio::test]
async fn device_labels_are_one_line_in_any_script_and_control_characters_refused() {
    let s = TestServer::start().await;
    let collections: &Collections = s.settings().get().unwrap();
    let boundaries: &townhall_places::Boundaries = s.settings().get().unwrap();
    let new = |id: &str, label: &str, owner: &str| NewDevice {
        id: id.into(),
        kind: Kind::Noise,
        label: label.into(),
        owner: owner.into(),
        home: None,
        point: Some(IN_PARISH),
        threshold: None,
    };
    let add =
        |n: NewDevice| device::register(&s.db.store, s.council.id, (boundaries, collections), n);
    let d = add(new(
        "noise-1",
        "Noise monitor,\u{000B}Place de l\u{2019}\u{00C9}glise\u{00A0}Nord",
        "مكتب الصحة البيئية",
    ))
    .await
    .unwrap();
    assert_eq!(
        d.label,
        "Noise monitor, Place de l\u{2019}\u{00C9}glise Nord"
    );
    assert_eq!(d.owner, "مكتب الصحة البيئية");
    for (label, owner) in [
        ("Noise\u{1B}[31m monitor", "Environmental Health"),
        ("Noise monitor", "\u{202E}Health"),
        ("  ", "x"),
    ] {
        let e = add(new("noise-2", label, owner)).await.unwrap_err();
        assert!(
            matches!(e, device::DeviceError::Text(..)),
            "{label:?} {owner:?}: {e}"
        );
    }
    assert!(device::get(&s.db.store, s.council.id, "noise-2")
        .await
        .unwrap()
        .is_none());
    let staff = {
        s.add_staff(
            "tom@testshire.example",
            "Tom Okafor",
            townhall_identity::Role::Caseworker,
            Some("Highways"),
            crate::casework::PASSWORD,
        )
        .await;
        crate::casework::staff_client(&s, "tom@testshire.example").await
    };
    let page = s.text(&staff, "/staff/sensors/noise").await;
    assert!(page.contains("Place de l\u{2019}\u{00C9}glise"), "{page}");
    assert!(page.contains("مكتب الصحة البيئية"), "{page}");
}
