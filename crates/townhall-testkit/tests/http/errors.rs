//! What a client sees when the server itself fails: one answer per kind of
//! client (a page, JSON, GeoReport's errors document), saying only that the
//! server could not answer; the database's words stay in the log.

use reqwest::StatusCode;
use serde_json::json;
use townhall_testkit::TestServer;

/// Moves `table` out of the way, so that what reads it fails as a broken
/// store would (renamed, not dropped: other tables' keys name it).
async fn break_table(s: &TestServer, table: &str) {
    townhall_store::sql::query(&format!("ALTER TABLE {table} RENAME TO {table}_gone"))
        .execute(s.db.store.reader())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_failure_of_the_servers_own_is_told_to_each_client_without_its_detail() {
    let s = TestServer::start().await;
    let key = s
        .api_key("GP practice", "open311:write consent:read", None)
        .await;
    break_table(&s, "consent_records").await;
    break_table(&s, "cases").await;
    break_table(&s, "sign_in_failures").await;

    // JSON.
    let r = s
        .client()
        .post(s.url("/api/v1/consent/decisions"))
        .bearer_auth(&key)
        .json(
            &json!({"resident": townhall_types::UserId::new().to_string(),
                      "recipient": "gp", "purpose": "gp-wellbeing-checks"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": {"code": "internal", "message": "The server could not answer; try again later"}})
    );

    // Open311, in each format.
    let r = s
        .client()
        .get(s.url("/open311/v2/requests.xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let xml = r.text().await.unwrap();
    assert!(
        xml.contains("<errors><error><code>500</code><description>The server could not answer; try again later</description></error></errors>"),
        "{xml}"
    );
    let r = s
        .client()
        .get(s.url("/open311/v2/requests.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!([{"code": 500, "description": "The server could not answer; try again later"}])
    );

    // A page.
    let c = s.client();
    let r = s
        .submit(
            &c,
            "/sign-in",
            "/sign-in",
            &[("email", "martin@mail.example"), ("password", "anything")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Sorry, there is a problem with the service"),
        "{page}"
    );
    for leaked in [xml.as_str(), page.as_str()] {
        for word in [
            "sign_in_failures",
            "cases",
            "no such table",
            "SQL",
            "relation",
        ] {
            assert!(!leaked.contains(word), "{word} told to the client");
        }
    }
}

#[tokio::test]
async fn every_api_answers_in_its_own_form_where_nothing_answers() {
    let s = TestServer::start().await;
    let c = s.client();
    let r = c
        .get(s.url("/open311/v2/nothing.xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<errors><error><code>404</code>"));
    let r = c
        .delete(s.url("/open311/v2/requests.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body[0]["code"], 405, "{body}");
    let r = c
        .put(s.url("/api/v1/consent/decisions"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    // Pages stay pages.
    let r = c.get(s.url("/no-such-page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Page not found"));
    // A key made (outside the command line) for the accounts Townhall
    // writes itself withdraws none of them either.
    let key = s.api_key("Odd key", "index:write:accounts", None).await;
    let r = c
        .delete(s.url("/api/v1/index/records/accounts/anyone"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An app's form is answered for the app: the parameter named, not a page's words.
    let form = reqwest::multipart::Form::new()
        .text("service_code", "report-pothole")
        .text("first_name", "Om\u{0}ar");
    let r = c
        .post(s.url("/open311/v2/requests.json"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("first_name: contains a character"),
        "{body}"
    );
    let r = c
        .post(s.url("/open311/v2/requests.json"))
        .header("content-type", "text/plain")
        .body("service_code=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("the body could not be read"),
        "{body}"
    );
}

/// `body` posted to `path` as JSON with `key`.
async fn post_json(s: &TestServer, key: &str, path: &str, body: String) -> reqwest::Response {
    s.client()
        .post(s.url(path))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The content type of `r`, and whether it carries the security headers.
fn kind(r: &reqwest::Response) -> (String, bool) {
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    (
        header("content-type").unwrap_or_default(),
        header("content-security-policy").is_some(),
    )
}

#[tokio::test]
async fn what_cannot_be_read_before_any_handler_runs_is_answered_in_each_clients_form() {
    let s = TestServer::start().await;
    let key = s
        .api_key("GP practice", "open311:write consent:read", None)
        .await;
    let c = s.client();

    // A JSON body over the API's 2 MB, in strings each short enough to
    // pass the text gate: the API's error document.
    let field = format!("\"{}\"", "x".repeat(100));
    let big = format!(
        "{{\"resident\": \"x\", \"fields\": [{}]}}",
        vec![field; 30_000].join(",")
    );
    for path in ["/api/v1/consent/decisions", "/api/v1/index/records"] {
        let r = post_json(&s, &key, path, big.clone()).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(kind(&r), ("application/json".to_owned(), true), "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too_large", "{path}: {body}");
    }

    // Under it, the body is read (and answered on its merits).
    let field = format!("\"{}\"", "x".repeat(100));
    let fair = format!(
        "{{\"resident\": \"x\", \"recipient\": \"gp\", \"purpose\": \"gp-wellbeing-checks\", \"fields\": [{}]}}",
        vec![field; 15_000].join(",")
    );
    assert!(fair.len() > 1024 * 1024);
    let r = post_json(&s, &key, "/api/v1/consent/decisions", fair).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_resident", "{body}");

    // Over the server's limit for any request: Open311's document, or a page.
    let huge = vec![b'a'; 16 * 1024 * 1024];
    let r = c
        .post(s.url("/open311/v2/requests.xml"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(kind(&r).0.starts_with("text/xml"), "{:?}", kind(&r));
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("<errors><error><code>413</code>"));
    let r = c
        .post(s.url("/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (content, secured) = kind(&r);
    assert!(content.starts_with("text/html") && secured, "{content}");
    assert!(r.text().await.unwrap().contains("too large"));

    // A path segment that is not text, on the API and on a page.
    let r = c
        .delete(s.url("/api/v1/index/records/council_tax/%FF%FE"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(kind(&r).0.starts_with("application/json"), "{:?}", kind(&r));
    for (path, content) in [
        ("/open311/v2/requests/%FF%FE.xml", "text/xml"),
        ("/open311/v2/requests/%FF%FE.json", "application/json"),
    ] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(kind(&r).0.starts_with(content), "{path}: {:?}", kind(&r));
        assert!(r.text().await.unwrap().contains("not UTF-8 text"), "{path}");
    }
    let r = c.get(s.url("/requests/%FF%FE")).send().await.unwrap();
    assert!(r.status().is_client_error());
    assert!(kind(&r).0.starts_with("text/html"), "{:?}", kind(&r));
}
