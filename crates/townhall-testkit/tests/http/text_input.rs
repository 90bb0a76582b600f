//! What text may hold, decided at the edge: control characters refused with a
//! 400 naming the field on both stores (never a 500, never the database's
//! words), line breaks of every kind stored as `\n`, names held to their
//! length, and every XML document well formed whatever was stored.

use reqwest::StatusCode;
use serde_json::Value;
use townhall_identity::Role;
use townhall_testkit::{TestServer, TestStore, NOT_IN_PARISH};

use crate::casework::{staff_client, PASSWORD};
use crate::open311::api_key;

/// What no answer may show: the database's own error text.
fn leaks(body: &str) -> bool {
    ["database", "sqlx", "invalid byte sequence", "0x00", "SQL"]
        .iter()
        .any(|w| body.contains(w))
}

async fn report(s: &TestServer, c: &reqwest::Client, extra: &[(&str, &str)]) -> reqwest::Response {
    let (lat, lon) = (NOT_IN_PARISH.0.to_string(), NOT_IN_PARISH.1.to_string());
    let mut answers = vec![
        ("location-latitude", lat.as_str()),
        ("location-longitude", lon.as_str()),
        ("surface", "road"),
    ];
    answers.extend_from_slice(extra);
    s.submit(
        c,
        "/services/report-pothole/start",
        "/services/report-pothole/submit",
        &answers,
    )
    .await
}

/// A caseworker in the team potholes go to, signed in.
async fn highways_caseworker(s: &TestServer) -> reqwest::Client {
    s.add_staff(
        "tom@council.example",
        "Tom",
        Role::Caseworker,
        Some("Highways"),
        PASSWORD,
    )
    .await;
    staff_client(s, "tom@council.example").await
}

#[tokio::test]
async fn control_characters_are_refused_against_their_field_on_both_stores() {
    for db in TestStore::each().await {
        let s = TestServer::start_on(db).await;
        let guest = s.client();
        assert_eq!(
            report(&s, &guest, &[("your-email", "omar@mail.example")])
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let tom = highways_caseworker(&s).await;
        let key = api_key(&s, "app").await;
        let before = (s.count("cases").await, s.count("case_events").await);

        // Read-only addresses, several open to anyone.
        for path in [
            "/open311/v2/requests/%00.json",
            "/open311/v2/requests.json?service_request_id=%00",
            "/open311/v2/requests.xml?jurisdiction_id=%01",
            "/requests/TES-%00",
            "/staff/cases/%00",
            "/services/%1B/start",
        ] {
            let r = tom.get(s.url(path)).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(body.contains("cannot be typed"), "{path}: {body}");
            assert!(!leaks(&body), "{path}: {body}");
            if path.contains(".xml") {
                roxmltree::Document::parse(&body).expect("a well-formed XML error");
            }
        }
        let r = tom
            .get(s.url("/open311/v2/requests.json?service_request_id=%00"))
            .send()
            .await
            .unwrap();
        let errors: Value = r.json().await.unwrap();
        assert_eq!(
            errors[0]["description"],
            "service_request_id: contains a character that cannot be typed (U+0000). Remove it and try again"
        );

        // Forms: sign-up, a guest report, a staff note, a staff update.
        let r = s
            .sign_up(
                &s.client(),
                "/sign-up",
                ("Li\u{0}zzy", "Parker"),
                "lizzy@mail.example",
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("Your answer to 'given name' contains a character"));
        let r = report(&s, &s.client(), &[("your-name", "Om\u{0}ar")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        for (action, field) in [("note", "note"), ("status", "update")] {
            let r = s
                .submit(
                    &tom,
                    "/staff/cases/TES-000001",
                    &format!("/staff/cases/TES-000001/{action}"),
                    &[(field, "Crew\u{0} booked"), ("status", "in-progress")],
                )
                .await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{action}");
        }

        // Open311 and the JSON API.
        for field in ["first_name", "phone", "description"] {
            let (lat, lon) = (NOT_IN_PARISH.0.to_string(), NOT_IN_PARISH.1.to_string());
            let mut form = vec![
                ("api_key", key.as_str()),
                ("service_code", "report-pothole"),
                ("lat", lat.as_str()),
                ("long", lon.as_str()),
                ("attribute[surface]", "road"),
            ];
            form.push((field, "x\u{0}y"));
            let r = s
                .client()
                .post(s.url("/open311/v2/requests.xml"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{field}");
            let body = r.text().await.unwrap();
            let doc = roxmltree::Document::parse(&body).expect("well-formed XML");
            let description = doc
                .descendants()
                .find(|n| n.has_tag_name("description"))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_owned();
            assert!(description.starts_with(&format!("{field}: ")), "{body}");
        }
        let r = s
            .client()
            .post(s.url("/api/v1/consent/decisions"))
            .bearer_auth(&key)
            .json(&serde_json::json!({
                "resident": "0190b8a4-0000-7000-8000-000000000000",
                "recipient": "gp\u{0}",
                "purpose": "care",
                "fields": ["name"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_text");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("recipient: "));

        // Nothing was stored, and what was there is still there.
        assert_eq!(
            (s.count("cases").await, s.count("case_events").await),
            before
        );
    }
}

#[tokio::test]
async fn line_breaks_are_stored_as_one_kind_and_every_xml_document_parses() {
    let s = TestServer::start().await;
    let c = s.client();
    report(&s, &c, &[("your-email", "omar@mail.example")]).await;
    let tom = highways_caseworker(&s).await;
    // A word processor's manual line break is a vertical tab.
    let r = s
        .submit(
            &tom,
            "/staff/cases/TES-000001",
            "/staff/cases/TES-000001/note",
            &[
                ("note", "Crew booked\u{0B}for Monday\r\nBring cones"),
                ("audience", "public"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (note,): (String,) =
        townhall_store::sql::query_as("SELECT note FROM case_events WHERE kind = 'note'")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_eq!(note, "Crew booked\nfor Monday\nBring cones");

    // Text stored before these rules (or by another route) still makes a
    // well-formed document: the one XML writer replaces what XML forbids.
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_store::sql::query("UPDATE case_events SET note = $1 WHERE kind = 'note'")
        .bind("Crew\u{0B}booked\u{1}")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for path in ["requests.xml", "servicerequestupdates.xml"] {
        let body = c
            .get(s.url(&format!("/open311/v2/{path}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    }
}

#[tokio::test]
async fn names_are_held_to_a_hundred_characters_and_kept_out_of_emails() {
    let s = TestServer::start().await;
    let long = "A".repeat(101);
    let r = s
        .sign_up(
            &s.client(),
            "/sign-up",
            (&long, "Parker"),
            "lizzy@mail.example",
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("First name must be 100 characters or fewer"));
    let r = report(&s, &s.client(), &[("your-name", &long)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Your name must be 100 characters or fewer"));
    assert_eq!(s.count("cases").await, 0);

    // A name is what anyone may type, to any address: it is not put into
    // the council's email.
    let r = s
        .sign_up(
            &s.client(),
            "/sign-up",
            ("Claim your refund at evil.example", "Now"),
            "victim@mail.example",
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (body,): (String,) =
        townhall_store::sql::query_as("SELECT body FROM notifications ORDER BY created_at DESC")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert!(body.starts_with("Hello,"), "{body}");
    assert!(!body.contains("evil.example"), "{body}");
}

/// The `<form method="post">`s of a page: each one's action and the names of
/// its fields (inputs, text areas, selects), as rendered.
fn post_forms(html: &str) -> Vec<(String, Vec<String>)> {
    let attr = |tag: &str, name: &str| {
        let marker = format!("{name}=\"");
        tag.find(&marker).map(|i| {
            tag[i + marker.len()..]
                .split('"')
                .next()
                .unwrap_or_default()
                .replace("&amp;", "&")
        })
    };
    let mut forms = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let Some((tag, rest)) = chunk.split_once('>') else {
            continue;
        };
        if attr(tag, "method").as_deref() != Some("post") {
            continue;
        }
        let Some(action) = attr(tag, "action") else {
            continue;
        };
        let body = rest.split("</form>").next().unwrap_or_default();
        let mut fields: Vec<String> = body
            .split('<')
            .filter(|t| {
                t.starts_with("input") || t.starts_with("textarea") || t.starts_with("select")
            })
            .filter_map(|t| attr(t, "name"))
            .collect();
        fields.sort();
        fields.dedup();
        forms.push((action, fields));
    }
    forms
}

/// The site's own links on a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|path| format!("/{}", path.replace("&amp;", "&")))
        .filter(|path| !path.starts_with("/assets/") && !path.contains("/photos/"))
        .collect()
}

/// Every form every kind of visitor can reach by following links, each of its
/// fields in turn holding a NUL and another control character: refused with
/// 400 on both stores, never a 5xx, never the database's words, nothing stored.
#[tokio::test]
async fn every_form_field_of_every_page_refuses_control_characters() {
    for db in TestStore::each().await {
        let s = TestServer::start_on(db).await;
        assert_eq!(
            report(&s, &s.client(), &[("your-email", "omar@mail.example")])
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let lizzy = s.client();
        crate::accounts::sign_up(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
        crate::accounts::sign_in(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
        assert_eq!(
            report(&s, &lizzy, &[]).await.status(),
            StatusCode::SEE_OTHER
        );
        let tom = highways_caseworker(&s).await;
        s.add_staff(
            "ada@council.example",
            "Ada",
            Role::Administrator,
            None,
            PASSWORD,
        )
        .await;
        let ada = staff_client(&s, "ada@council.example").await;
        let tables = [
            "cases",
            "case_events",
            "users",
            "attachments",
            "consent_records",
        ];
        let mut before = Vec::new();
        for t in tables {
            before.push(s.count(t).await);
        }

        let mut tried = 0;
        for (who, c, start) in [
            ("guest", s.client(), "/"),
            ("resident", lizzy.clone(), "/account"),
            ("caseworker", tom.clone(), "/staff"),
            ("administrator", ada.clone(), "/staff"),
        ] {
            let mut queue = vec![start.to_owned(), "/".to_owned()];
            let mut seen = std::collections::HashSet::new();
            while let Some(page) = queue.pop() {
                if !seen.insert(page.clone()) || seen.len() > 60 || page.contains("sign-out") {
                    continue;
                }
                let r = c.get(s.url(&page)).send().await.unwrap();
                if !r.status().is_success() {
                    continue;
                }
                let html = r.text().await.unwrap();
                queue.extend(links(&html));
                for (action, fields) in post_forms(&html) {
                    for (n, field) in fields.iter().enumerate() {
                        let bad = if n % 2 == 0 { "a\u{0}b" } else { "a\u{1B}b" };
                        let token = townhall_testkit::csrf_of(&html);
                        let body: Vec<(&str, &str)> = fields
                            .iter()
                            .map(|f| match f.as_str() {
                                f if f == field.as_str() => (f, bad),
                                "csrf" => ("csrf", token.as_str()),
                                f => (f, "1"),
                            })
                            .collect();
                        let r = c.post(s.url(&action)).form(&body).send().await.unwrap();
                        let status = r.status();
                        let text = r.text().await.unwrap();
                        assert_eq!(
                            status,
                            StatusCode::BAD_REQUEST,
                            "{who}: {action} with {field} holding a control character: {text}"
                        );
                        assert!(!leaks(&text), "{who}: {action} {field}: {text}");
                        tried += 1;
                    }
                }
            }
        }
        assert!(tried > 40, "the crawl reached only {tried} fields");
        for (t, n) in tables.iter().zip(before) {
            assert_eq!(s.count(t).await, n, "{t}: nothing is stored");
        }
    }
}
