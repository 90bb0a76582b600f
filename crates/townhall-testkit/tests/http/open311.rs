//! Open311 GeoReport v2: every endpoint in JSON and XML, errors in the
//! spec's format with the right status, and requests made through it landing
//! as cases exactly as those made on the council's pages.

use reqwest::StatusCode;
use serde_json::Value;
use townhall_testkit::{TestServer, HOME_IN_ZONE, IN_PARISH, NOT_IN_PARISH};

/// Issues an API key for the test council.
pub async fn api_key(s: &TestServer, name: &str) -> String {
    s.api_key(name, "open311:write consent:read", None).await
}

async fn get(s: &TestServer, path: &str) -> (StatusCode, String, String) {
    let r = s
        .client()
        .get(s.url(&format!("/open311/v2/{path}")))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
    (status, kind, r.text().await.unwrap())
}

async fn get_json(s: &TestServer, path: &str) -> (StatusCode, Value) {
    let (status, kind, body) = get(s, path).await;
    assert!(kind.starts_with("application/json"), "{path}: {kind}");
    (status, serde_json::from_str(&body).unwrap())
}

async fn post(s: &TestServer, format: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = s
        .client()
        .post(s.url(&format!("/open311/v2/requests.{format}")))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Reports speeding at `point` through Open311; its reference.
async fn report_speeding(s: &TestServer, key: &str, point: (f64, f64)) -> String {
    let (lat, long) = (point.0.to_string(), point.1.to_string());
    let (status, body) = post(
        s,
        "json",
        &[
            ("api_key", key),
            ("service_code", "report-speeding"),
            ("lat", &lat),
            ("long", &long),
            ("attribute[times][]", "morning"),
            ("attribute[times][]", "evening"),
            ("attribute[near-school]", "false"),
            ("description", "Cars race down the hill every morning"),
            ("email", "omar@mail.example"),
            ("first_name", "Omar"),
            ("last_name", "Haddad"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let made: Value = serde_json::from_str(&body).unwrap();
    made[0]["service_request_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn discovery_services_and_definitions_come_from_the_service_files() {
    let s = TestServer::start().await;
    let (status, discovery) = get_json(&s, "discovery.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        discovery["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    let (_, kind, xml) = get(&s, "discovery.xml").await;
    assert!(kind.starts_with("text/xml"));
    assert!(xml.contains("<discovery><changeset>"));
    assert!(xml
        .contains("<formats><format>text/xml</format><format>application/json</format></formats>"));

    let (_, services) = get_json(&s, "services.json").await;
    let codes: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    // Reports anyone may make; paid, booked and account-only services are not offered.
    assert!(codes.contains(&"report-pothole"));
    assert!(codes.contains(&"report-speeding"));
    assert!(codes.contains(&"report-missed-bin"));
    assert!(!codes.contains(&"apply-parking-permit"));
    assert!(!codes.contains(&"book-bulky-waste"));
    let pothole = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "report-pothole")
        .unwrap();
    assert_eq!(pothole["service_name"], "Report a pothole");
    assert_eq!(pothole["metadata"], true);
    assert_eq!(pothole["type"], "realtime");
    let (_, _, xml) = get(&s, "services.xml").await;
    assert!(xml.contains("<services><service><service_code>"));

    let (status, definition) = get_json(&s, "services/report-speeding.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(definition["service_code"], "report-speeding");
    let attributes = definition["attributes"].as_array().unwrap();
    let times = attributes.iter().find(|a| a["code"] == "times").unwrap();
    assert_eq!(times["datatype"], "multivaluelist");
    assert_eq!(times["required"], true);
    assert!(times["values"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["key"] == "morning"));
    let school = attributes
        .iter()
        .find(|a| a["code"] == "near-school")
        .unwrap();
    assert_eq!(school["datatype"], "singlevaluelist");
    assert_eq!(school["order"], 2);
    // The location and the description are the request's own fields.
    assert!(!attributes
        .iter()
        .any(|a| a["code"] == "location" || a["code"] == "details"));
    let (_, _, xml) = get(&s, "services/report-missed-bin.xml").await;
    assert!(xml.contains(
        "<service_definition><service_code>report-missed-bin</service_code><attributes><attribute>"
    ));
    assert!(xml.contains("<datatype>datetime</datatype>"));
    assert!(
        xml.contains(
            "<datatype_description>A date, written YYYY-MM-DD (ISO 8601)</datatype_description>"
        ),
        "{xml}"
    );

    let (status, error) = get_json(&s, "services/apply-parking-permit.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error[0]["code"], 404);
    assert!(error[0]["description"]
        .as_str()
        .unwrap()
        .contains("not found"));
    let (status, _, xml) = get(&s, "services/no-such-service.xml").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(xml.contains("<errors><error><code>404</code><description>"));
    let (status, _) = get_json(&s, "services.json?jurisdiction_id=elsewhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get_json(&s, "services.json?jurisdiction_id=localhost").await;
    assert_eq!(status, StatusCode::OK, "the council's domain names it too");
    let (_, discovery) = get_json(&s, "discovery.json").await;
    assert_eq!(discovery["jurisdiction_id"], "testshire");
    let (status, _) = get_json(&s, "services.json?jurisdiction_id=testshire").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = get(&s, "services").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a format must be chosen");
}

#[tokio::test]
async fn a_request_posted_with_a_key_is_routed_like_one_from_the_pages() {
    let s = TestServer::start().await;
    let key = api_key(&s, "Street Reporter app").await;
    let in_parish = report_speeding(&s, &key, IN_PARISH).await;
    let outside = report_speeding(&s, &key, NOT_IN_PARISH).await;
    assert_eq!(s.count("cases").await, 2);

    let (team, channel, name): (String, String, Option<String>) = townhall_store::sql::query_as(
        "SELECT t.name, c.channel, c.contact_name FROM cases c JOIN teams t \
         ON t.council_id = c.council_id AND t.team_id = c.team_id WHERE c.reference = $1",
    )
    .bind(&in_parish)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert!(
        team.ends_with("Clerk"),
        "routed to the parish clerk: {team}"
    );
    assert_eq!(channel, "open311");
    assert_eq!(name.as_deref(), Some("Omar Haddad"));
    let (actor,): (String,) = townhall_store::sql::query_as(
        "SELECT actor_label FROM audit_log WHERE action = 'create' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(actor, "Street Reporter app (Open311)");

    // Read back, in both formats, without anything that says who asked.
    let (status, one) = get_json(&s, &format!("requests/{outside}.json")).await;
    assert_eq!(status, StatusCode::OK);
    let r = &one[0];
    assert_eq!(r["service_request_id"], outside.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "report-speeding");
    assert_eq!(r["lat"], NOT_IN_PARISH.0);
    assert_eq!(r["long"], NOT_IN_PARISH.1);
    let described = r["description"].as_str().unwrap();
    assert_eq!(
        described,
        "When: Morning rush hour, Evening rush hour; Near a school: No"
    );
    let text = one.to_string();
    assert!(!text.contains("Omar") && !text.contains("omar@"));
    assert!(
        !text.contains("race down the hill"),
        "free text is not published"
    );
    let (_, _, xml) = get(&s, &format!("requests/{outside}.xml")).await;
    assert!(xml.contains(&format!(
        "<service_requests><request><service_request_id>{outside}</service_request_id><status>open</status>"
    )));

    // The token given when it was made leads to it.
    let (_, list) = get_json(&s, "requests.json").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let token: String = townhall_store::sql::query_as::<_, (String,)>(
        "SELECT case_id FROM cases WHERE reference = $1",
    )
    .bind(&outside)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap()
    .0;
    let (status, found) = get_json(&s, &format!("tokens/{token}.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found[0]["service_request_id"], outside.as_str());
    let (status, _, xml) = get(&s, "tokens/00000000-0000-0000-0000-000000000000.xml").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(xml.contains("<errors>"));
    let (status, _) = get_json(&s, "requests/TES-999999.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_requests_get_the_specs_errors_and_store_nothing() {
    let s = TestServer::start().await;
    let key = api_key(&s, "Street Reporter app").await;
    let cases = || async { s.count("cases").await };

    let (status, body) = post(&s, "json", &[("service_code", "report-pothole")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("api_key"));
    let (status, body) = post(
        &s,
        "xml",
        &[("api_key", "th_wrong"), ("service_code", "report-pothole")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("<errors><error><code>403</code>"));

    let (status, body) = post(
        &s,
        "json",
        &[("api_key", &key), ("service_code", "apply-parking-permit")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("not a service offered here"));

    // Every mistake is named by its parameter, all at once.
    let (status, body) = post(
        &s,
        "json",
        &[
            ("api_key", &key),
            ("service_code", "report-pothole"),
            ("lat", "52.08"),
            ("long", "-0.98"),
            ("attribute[surface]", "motorway"),
            ("attribute[depth]", "deep"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let errors: Value = serde_json::from_str(&body).unwrap();
    let messages: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("attribute[surface]: Select one of the options")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("attribute[depth]: ")),
        "{messages:?}"
    );
    assert!(errors.as_array().unwrap().iter().all(|e| e["code"] == 400));

    for (form, expected) in [
        (
            vec![("attribute[surface]", "road")],
            "location: give lat and long",
        ),
        (
            vec![
                ("attribute[surface]", "road"),
                ("lat", "north"),
                ("long", "-0.98"),
            ],
            "lat/long or address_id: Enter the latitude and longitude as numbers",
        ),
        (
            vec![
                ("attribute[surface]", "road"),
                ("address_id", "999999999999"),
            ],
            "address_id: no address with this UPRN",
        ),
        (
            vec![
                ("attribute[colour]", "red"),
                ("lat", "52.08"),
                ("long", "-0.98"),
            ],
            "attribute[colour]: this service has no attribute 'colour'",
        ),
        (
            vec![
                ("attribute[surface]", "road"),
                ("lat", "52.08"),
                ("long", "-0.98"),
                ("email", "not-an-email"),
            ],
            "email: 'not-an-email' is not an email address",
        ),
        // Two places for one report: which was meant is anyone's guess.
        (
            vec![
                ("attribute[surface]", "road"),
                ("lat", "52.08"),
                ("long", "-0.98"),
                ("lat", "52.09"),
            ],
            "lat: given more than once",
        ),
        // The document makes them numbers: a padded one is not.
        (
            vec![
                ("attribute[surface]", "road"),
                ("lat", "52.08"),
                ("long", "-0.98\u{a0}"),
            ],
            "lat/long: give numbers without spaces",
        ),
    ] {
        let mut full = vec![
            ("api_key", key.as_str()),
            ("service_code", "report-pothole"),
        ];
        full.extend(form);
        let (status, body) = post(&s, "json", &full).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains(expected), "{expected} in {body}");
    }
    let (status, body) = post(
        &s,
        "xml",
        &[
            ("api_key", &key),
            ("service_code", "report-missed-bin"),
            ("lat", "52.08"),
            ("long", "-0.98"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("address_id"), "{body}");

    // Filters that make no sense say so.
    for (query, expected) in [
        ("requests.json?status=pending", "status: give open, closed"),
        (
            "requests.json?start_date=yesterday",
            "start_date: 'yesterday' is not a date",
        ),
        ("requests.json?page=0", "page: must be a whole number"),
        (
            "requests.json?page_size=",
            "page_size: must be a whole number",
        ),
        // Values the API document gives a form to are read as sent: a
        // padded one is not the form, and a no-break space is not empty.
        (
            "requests.json?start_date=%C2%A0",
            "start_date: '\u{a0}' is not a date",
        ),
        ("requests.json?status=%20open", "status: give open, closed"),
        (
            "requests.json?status=open,%20closed",
            "status: give open, closed",
        ),
        ("requests.json?page_size=%205", "page_size: must be a whole"),
        // A parameter given twice is ambiguous, even when one is empty.
        (
            "requests.json?end_date=&end_date=zA",
            "end_date: given more than once",
        ),
        (
            "servicerequestupdates.json?page=1&page=2",
            "page: given more than once",
        ),
    ] {
        let (status, body) = get_json(&s, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.to_string().contains(expected), "{query}: {body}");
    }
    let (status, body) = get_json(&s, "requests.json?service_code=apply-parking-permit").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body.to_string().contains("not a service offered here"),
        "{body}"
    );
    // A page past the last, however far, lists nothing.
    let (status, body) = get_json(&s, "requests.json?page=252998499130098288909352960").await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!([])));
    // A start after the end is an empty interval: nothing was made in it.
    let (status, body) = get_json(
        &s,
        "requests.json?start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z",
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!([])));
    let (status, _, body) = get(&s, "services.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.is_empty());
    let r = s
        .client()
        .post(s.url("/open311/v2/services.json"))
        .form(&[("api_key", key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, HEAD");
    // Every method a resource does not take is 405, saying which it takes.
    for (method, path, allow) in [
        ("PUT", "/open311/v2/requests.json", "GET, HEAD, POST"),
        ("OPTIONS", "/open311/v2/discovery.xml", "GET, HEAD"),
        ("TRACE", "/services/report-pothole/rules.json", "GET,HEAD"),
        ("QUERY", "/open311/v2/services.json", "GET, HEAD"),
    ] {
        let r = s
            .client()
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                s.url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(r.headers()["allow"], allow, "{method} {path}");
    }
    // A body that cannot be read is still answered in the spec's format.
    let r = s
        .client()
        .post(s.url("/open311/v2/requests.xml"))
        .header("content-type", "multipart/form-data; boundary=x")
        .body("not multipart at all")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<errors><error><code>400</code>"));

    assert_eq!(cases().await, 0, "nothing was stored");
}

#[tokio::test]
async fn requests_are_filtered_paged_and_their_updates_listed() {
    let s = TestServer::start().await;
    let key = api_key(&s, "Street Reporter app").await;
    let first = report_speeding(&s, &key, NOT_IN_PARISH).await;
    let (status, body) = post(
        &s,
        "json",
        &[
            ("api_key", &key),
            ("service_code", "report-missed-bin"),
            ("address_id", HOME_IN_ZONE),
            ("attribute[bin]", "general"),
            (
                "attribute[collection-date]",
                &townhall_testkit::collected().to_string(),
            ),
            ("attribute[presented]", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bin: Value = serde_json::from_str(&body).unwrap();
    let bin = bin[0]["service_request_id"].as_str().unwrap().to_owned();

    // A report at a home gives no address and only a rough position.
    let (_, found) = get_json(&s, &format!("requests/{bin}.json")).await;
    assert_eq!(found[0]["address"], Value::Null);
    let lat = found[0]["lat"].as_f64().unwrap();
    assert_eq!(lat, (lat * 1000.0).round() / 1000.0);

    let (_, both) = get_json(&s, "requests.json").await;
    assert_eq!(both.as_array().unwrap().len(), 2);
    let (_, bins) = get_json(&s, "requests.json?service_code=report-missed-bin").await;
    assert_eq!(bins.as_array().unwrap().len(), 1);
    assert_eq!(bins[0]["service_request_id"], bin.as_str());
    let (_, by_id) = get_json(
        &s,
        &format!("requests.json?service_request_id={first},{bin}"),
    )
    .await;
    assert_eq!(by_id.as_array().unwrap().len(), 2);
    let (_, page1) = get_json(&s, "requests.json?page_size=1").await;
    let (_, page2) = get_json(&s, "requests.json?page_size=1&page=2").await;
    assert_eq!(page1.as_array().unwrap().len(), 1);
    assert_eq!(page2.as_array().unwrap().len(), 1);
    assert_ne!(
        page1[0]["service_request_id"],
        page2[0]["service_request_id"]
    );
    let (_, old) = get_json(&s, "requests.json?end_date=2020-01-01T00:00:00Z").await;
    assert!(old.as_array().unwrap().is_empty());
    // A date alone, as FixMyStreet's clients send it, covers the whole day.
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let (status, made_today) = get_json(
        &s,
        &format!("requests.json?start_date={today}&end_date={today}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made_today}");
    assert_eq!(made_today.as_array().unwrap().len(), 2);
    let (_, closed) = get_json(&s, "requests.json?status=closed").await;
    assert!(closed.as_array().unwrap().is_empty());

    // Staff write to the reporter (not published) and then close the bin
    // report with a published update: the feed shows only the published one.
    s.add_staff(
        "priya@testshire.example",
        "Priya Shah",
        townhall_identity::Role::Caseworker,
        Some("Waste and Recycling"),
        crate::casework::PASSWORD,
    )
    .await;
    let priya = crate::casework::staff_client(&s, "priya@testshire.example").await;
    let private = "Mrs Jones at flat 2 says the bin is round the back";
    let steps: [&[(&str, &str)]; 3] = [
        &[("status", "crew-sent"), ("update", private)],
        &[
            ("note", "Gate code 1234, ask for Mrs Jones"),
            ("audience", "reporter"),
        ],
        &[
            ("status", "collected"),
            ("update", "Collected this afternoon"),
            ("publish", "1"),
        ],
    ];
    for fields in steps {
        let action = if fields[0].0 == "note" {
            "note"
        } else {
            "status"
        };
        let r = s
            .submit(
                &priya,
                &format!("/staff/cases/{bin}"),
                &format!("/staff/cases/{bin}/{action}"),
                fields,
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let (_, closed) = get_json(&s, "requests.json?status=closed").await;
    assert_eq!(closed[0]["service_request_id"], bin.as_str());
    assert_eq!(closed[0]["status_notes"], "Collected this afternoon");
    // Pages asked before the changes are answered anew, not from an old copy.
    let (_, again) = get_json(&s, "requests.json").await;
    let bin_now = again
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service_request_id"] == bin.as_str())
        .unwrap();
    assert_eq!(bin_now["status"], "closed");
    assert_eq!(bin_now["status_notes"], "Collected this afternoon");
    for path in [
        "requests.json",
        "servicerequestupdates.json",
        "requests.xml",
        "servicerequestupdates.xml",
    ] {
        let (_, _, body) = get(&s, path).await;
        assert!(
            !body.contains("Mrs Jones"),
            "{path} carries only published text: {body}"
        );
    }
    let (_, open) = get_json(&s, "requests.json?status=open").await;
    assert_eq!(open[0]["service_request_id"], first.as_str());

    let (status, updates) = get_json(&s, "servicerequestupdates.json").await;
    assert_eq!(status, StatusCode::OK);
    let update = updates
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|u| u["service_request_id"] == bin.as_str())
        .expect("the change is listed");
    assert_eq!(update["description"], "Collected this afternoon");
    let crew_sent = updates
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["service_request_id"] == bin.as_str() && u["status"] == "action_scheduled")
        .expect("the status change is listed");
    assert_eq!(
        crew_sent["description"], "Crew on the way",
        "an update written to the reporter alone is not published: the status's name stands instead"
    );
    assert_eq!(
        updates
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["service_request_id"] == bin.as_str())
            .count(),
        2,
        "the note to the reporter is not listed"
    );
    assert_eq!(
        update["status"], "fixed",
        "FixMyStreet's status for the step"
    );
    assert!(update["update_id"].as_str().unwrap().starts_with(&bin));
    let (_, _, xml) = get(&s, "servicerequestupdates.xml").await;
    assert!(xml.contains("<service_request_updates><request_update><update_id>"));
    let (_, none) = get_json(
        &s,
        "servicerequestupdates.json?end_date=2020-01-01T00:00:00Z",
    )
    .await;
    assert!(none.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn requests_made_at_the_same_moment_each_get_their_own_reference() {
    for store in townhall_testkit::TestStore::each().await {
        let s = TestServer::start_on(store).await;
        let key = api_key(&s, "Street Reporter app").await;
        let entries_before = s.count("audit_log").await;
        // The council's very first cases, all at once: they are committed
        // together, and the reference counter is created by the first.
        let made = futures_util::future::join_all(
            (0..40).map(|_| report_speeding(&s, &key, NOT_IN_PARISH)),
        )
        .await;
        let mut references = made.clone();
        references.sort();
        references.dedup();
        let expected: Vec<String> = (1..=40).map(|n| format!("TES-{n:06}")).collect();
        assert_eq!(
            references, expected,
            "references are neither reused nor skipped"
        );
        // Each has its history, its audit entry, its event and its message,
        // and the audit chain holds.
        s.queue_messages().await;
        assert_eq!(
            townhall_events::latest(&s.db.store, s.council.id)
                .await
                .unwrap(),
            40
        );
        assert_eq!(s.count("cases").await, 40);
        assert_eq!(s.count("case_events").await, 40);
        assert_eq!(s.count("audit_log").await - entries_before, 40);
        assert_eq!(s.count("notifications").await, 40);
        let report = townhall_audit::verify(&s.db.store, &()).await.unwrap();
        assert!(report.intact(), "{:?}", report.breaches);
        let (status, listed) = get_json(&s, "requests.json?page_size=100").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed.as_array().unwrap().len(), 40);
    }
}

#[tokio::test]
async fn a_client_nobody_here_wrote_lists_creates_and_reads_back() {
    let s = TestServer::start().await;
    let key = api_key(&s, "open311 for Python").await;
    let endpoint = s.url("/open311/v2");
    let seen = townhall_testkit::open311_client::run(endpoint.trim_end_matches('/'), &key).await;

    let codes = seen["service_codes"].as_array().unwrap();
    assert!(codes.contains(&Value::from("report-pothole")), "{codes:?}");
    let reference = seen["created"]["service_request_id"].as_str().unwrap();
    assert_eq!(reference, "TES-000001");
    // The client reads XML into text.
    let back = &seen["read_back"];
    assert_eq!(back["service_request_id"], reference);
    assert_eq!(back["service_code"], "report-pothole");
    assert_eq!(back["status"], "open");
    assert_eq!(back["lat"], "52.08");
    assert_eq!(
        back["description"],
        "Surface: The road; Depth in centimetres: 7"
    );
    assert_eq!(seen["by_token"]["service_request_id"], reference);
    assert_eq!(seen["listed"][0]["service_request_id"], reference);
    assert_eq!(seen["read_back_json"][0]["long"], -0.98);

    // It landed as any case does: routed, with the reporter's details kept.
    let (team, contact): (String, Option<String>) = townhall_store::sql::query_as(
        "SELECT t.name, c.contact_email FROM cases c JOIN teams t \
         ON t.council_id = c.council_id AND t.team_id = c.team_id WHERE c.reference = $1",
    )
    .bind(reference)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(team, "Highways");
    assert_eq!(contact.as_deref(), Some("jane.doe@mail.example"));
}

#[tokio::test]
async fn a_photo_is_sent_as_media_in_a_multipart_post() {
    let s = TestServer::start().await;
    let key = api_key(&s, "Street Reporter app").await;
    let (_, services) = get_json(&s, "services.json").await;
    let graffiti = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "report-graffiti")
        .unwrap();
    assert!(graffiti["description"]
        .as_str()
        .unwrap()
        .contains("A photo is required: send it as the file 'media'"));

    let send = |media: Option<Vec<u8>>| {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in [
            ("api_key", key.as_str()),
            ("service_code", "report-graffiti"),
            ("lat", "52.08"),
            ("long", "-0.98"),
            ("attribute[offensive]", "no"),
            ("attribute[surface]", "bridge"),
        ] {
            form = form.text(k, v.to_owned());
        }
        if let Some(bytes) = media {
            form = form.part(
                "media",
                reqwest::multipart::Part::bytes(bytes).file_name("wall.png"),
            );
        }
        s.client()
            .post(s.url("/open311/v2/requests.json"))
            .multipart(form)
            .send()
    };
    let r = send(None).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("media: Choose a photo of the graffiti to upload"));
    let r = send(Some(b"<html>not a photo</html>".to_vec()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("media: The selected file must be a JPG, PNG or WebP photo"));
    assert_eq!(s.count("cases").await, 0);

    let r = send(Some(crate::photos::png_naming("Jo Bloggs")))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (claimed,): (i64,) =
        townhall_store::sql::query_as("SELECT COUNT(*) FROM attachments WHERE case_id IS NOT NULL")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_eq!(claimed, 1, "the case keeps the photo");
}

/// Posts the speeding report at NOT_IN_PARISH with `description`, sending
/// `Idempotency-Key: idempotency_key` when given; the status and body.
pub(crate) async fn post_once(
    s: &TestServer,
    key: &str,
    idempotency_key: Option<&str>,
    description: &str,
) -> (StatusCode, Value) {
    let (lat, long) = (NOT_IN_PARISH.0.to_string(), NOT_IN_PARISH.1.to_string());
    let mut request = s.client().post(s.url("/open311/v2/requests.json")).form(&[
        ("api_key", key),
        ("service_code", "report-speeding"),
        ("lat", &lat),
        ("long", &long),
        ("attribute[times][]", "morning"),
        ("attribute[near-school]", "false"),
        ("description", description),
    ]);
    if let Some(k) = idempotency_key {
        request = request.header("Idempotency-Key", k);
    }
    let r = request.send().await.unwrap();
    let status = r.status();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn a_retried_post_with_an_idempotency_key_makes_one_case() {
    for store in townhall_testkit::TestStore::each().await {
        let s = TestServer::start_on(store).await;
        let key = api_key(&s, "Street Reporter app").await;
        let retry = "5b0c4f2e-9a43-4d5e-8f1a-0c6f2d7e9b11";
        let (status, first) = post_once(&s, &key, Some(retry), "Cars race past").await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let (status, again) = post_once(&s, &key, Some(retry), "Cars race past").await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again, first, "the retry is answered with the first request");
        assert_eq!(s.count("cases").await, 1);

        // Sent at once (a client that retries before its first try is answered).
        let at_once = futures_util::future::join_all(
            (0..6).map(|_| post_once(&s, &key, Some("burst-1"), "Lorries too")),
        )
        .await;
        let references: std::collections::BTreeSet<_> = at_once
            .iter()
            .map(|(status, body)| {
                assert_eq!(*status, StatusCode::OK, "{body}");
                body[0]["service_request_id"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(references.len(), 1, "{references:?}");
        assert_eq!(s.count("cases").await, 2);

        // The same key for a different request is refused, naming the first.
        let (status, refused) = post_once(&s, &key, Some(retry), "Vans as well").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let message = refused[0]["description"].as_str().unwrap();
        assert!(
            message.starts_with("Idempotency-Key: this key was used in the last 10 minutes")
                && message.contains(first[0]["service_request_id"].as_str().unwrap()),
            "{message}"
        );
        // Without a key, or with another, a request is a new one; another
        // client's identical key is its own.
        assert_eq!(
            post_once(&s, &key, None, "Cars race past").await.0,
            StatusCode::OK
        );
        let other = api_key(&s, "Another app").await;
        assert_eq!(
            post_once(&s, &other, Some(retry), "Cars race past").await.0,
            StatusCode::OK
        );
        assert_eq!(s.count("cases").await, 4);

        for bad in ["has space", &"x".repeat(256)] {
            let (status, body) = post_once(&s, &key, Some(bad), "Cars").await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(body[0]["description"]
                .as_str()
                .unwrap()
                .starts_with("Idempotency-Key: "));
        }
        assert_eq!(s.count("cases").await, 4);
    }
}

#[tokio::test]
async fn each_api_key_is_held_to_its_own_rate() {
    let s = TestServer::start().await;
    let slow = s
        .api_key(
            "Hackathon prototype",
            "open311:write consent:read",
            std::num::NonZeroU32::new(2),
        )
        .await;
    let busy = api_key(&s, "Street Reporter app").await;
    for _ in 0..2 {
        assert_eq!(post_once(&s, &slow, None, "Cars").await.0, StatusCode::OK);
    }
    let r = s
        .client()
        .post(s.url("/open311/v2/requests.xml"))
        .form(&[
            ("api_key", slow.as_str()),
            ("service_code", "report-speeding"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "one request every 30 s: {wait}");
    let body = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&body).unwrap();
    assert!(doc
        .descendants()
        .any(|n| n.has_tag_name("code") && n.text() == Some("429")));
    assert_eq!(
        post_once(&s, &busy, None, "Cars").await.0,
        StatusCode::OK,
        "another key is not held up"
    );

    // The JSON API counts against the same key.
    let r = s
        .client()
        .post(s.url("/api/v1/consent/decisions"))
        .bearer_auth(&slow)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(s.count("cases").await, 3);
}
