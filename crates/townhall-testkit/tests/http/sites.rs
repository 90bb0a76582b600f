//! One server, several councils: each answers on its own host name, with its
//! own residents, sessions and messages; health checks answer on any host.

use std::sync::Arc;

use reqwest::cookie::CookieStore;
use reqwest::header::{COOKIE, HOST};
use reqwest::StatusCode;
use townhall_testkit::{TestServer, TestSite};

async fn sign_up_and_confirm(s: &TestServer, c: &reqwest::Client, site: &TestSite, name: &str) {
    let r = s
        .sign_up(
            c,
            &site.url("/sign-up"),
            (name, "Okafor"),
            "omar@mail.example",
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "sign-up at {}",
        site.base
    );
    s.deliver().await;
    let mail = townhall_notify::mailbox(&s.db.store, site.council.id, 20)
        .await
        .unwrap();
    assert_eq!(
        mail.len(),
        1,
        "one message in {}'s mailbox",
        site.council.slug
    );
    let link = mail[0]
        .body
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap()
        .to_owned();
    assert!(
        link.starts_with(site.base.as_str()),
        "{link} points at {}",
        site.base
    );
    let r = crate::accounts::choose_password(c, &link, "lantern orchard seven").await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the password is chosen on that site"
    );
}

#[tokio::test]
async fn two_councils_on_one_server_keep_residents_and_sessions_apart() {
    let s = TestServer::start_sites(
        &[
            ("riverside", "Riverside Borough Council"),
            ("hillcrest", "Hillcrest District Council"),
        ],
        20,
    )
    .await;
    let (river, hill) = (&s.sites[0], &s.sites[1]);
    let c = s.client();

    let home = s.text(&c, &river.url("/")).await;
    assert!(home.contains("Riverside Borough Council") && !home.contains("Hillcrest"));
    let home = s.text(&c, &hill.url("/")).await;
    assert!(home.contains("Hillcrest District Council") && !home.contains("Riverside"));

    // The same person may be a resident of both, with two separate accounts.
    sign_up_and_confirm(&s, &c, river, "Omar").await;
    sign_up_and_confirm(&s, &c, hill, "Omar H.").await;
    assert_eq!(s.count("users").await, 2);

    // Signed in at Riverside only.
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let riverside_browser = s
        .client_builder()
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    let r = s
        .submit(
            &riverside_browser,
            &river.url("/sign-in"),
            &river.url("/sign-in"),
            &[
                ("email", "omar@mail.example"),
                ("password", "lantern orchard seven"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dash = s.text(&riverside_browser, &river.url("/dashboard")).await;
    assert!(dash.contains("Hello Omar Okafor"), "{dash}");
    let r = riverside_browser
        .get(hill.url("/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "not signed in at Hillcrest"
    );

    // Even a Riverside session cookie replayed at Hillcrest opens nothing there.
    let riverside_cookies = jar.cookies(&river.base).expect("Riverside set cookies");
    let plain = s.client_builder().build().unwrap();
    let r = plain
        .get(river.url("/dashboard"))
        .header(COOKIE, riverside_cookies.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the cookie works where it was issued"
    );
    let r = plain
        .get(hill.url("/dashboard"))
        .header(COOKIE, riverside_cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/sign-in");

    // Each council's demo mailbox shows only its own messages.
    let mailbox = s.text(&c, &hill.url("/dev/mailbox")).await;
    let confirm = |site: &TestSite| format!("Confirm your email address for {}", site.council.name);
    assert!(mailbox.contains(&confirm(hill)) && !mailbox.contains(&confirm(river)));

    // A host no site claims is refused, not shown another council's pages.
    let r = plain
        .get(river.url("/"))
        .header(HOST, "elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("This server does not answer for elsewhere.example"));
    assert!(!body.contains("Riverside") && !body.contains("Hillcrest"));

    // Probes answer on any host; metrics count requests per council.
    let r = plain
        .get(river.url("/healthz"))
        .header(HOST, "10.0.0.7:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "ok");
    let metrics = s.text(&plain, &river.url("/metrics")).await;
    assert!(
        metrics.contains(r#"council="riverside",method="POST",route="/sign-in",status="303""#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"council="hillcrest",method="GET",route="/",status="200""#));
}

#[tokio::test]
async fn operations_endpoints_and_security_headers() {
    let s = TestServer::start().await;
    let c = s.client();
    assert_eq!(s.text(&c, "/healthz").await, "ok");
    assert_eq!(s.text(&c, "/readyz").await, "ready");

    let spec = s.json(&c, "/api/openapi.json").await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["paths"]["/api/v1/consent/decisions"]["post"].is_object());
    assert!(spec["paths"]["/services/{id}/rules.json"]["get"].is_object());
    assert!(spec["paths"]["/open311/v2/requests.{format}"]["post"].is_object());
    // A consent question names what this council's policy declares.
    let asked = &spec["components"]["schemas"]["DecisionRequest"]["properties"];
    let purposes = asked["purpose"]["enum"].as_array().unwrap();
    assert!(
        purposes.contains(&serde_json::json!("gp-wellbeing-checks")),
        "{asked}"
    );
    assert!(asked["recipient"]["enum"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("gp")));

    let r = c.get(s.url("/sign-in")).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        !r.headers().contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );

    let metrics = s.text(&c, "/metrics").await;
    assert!(metrics.contains(
        r#"townhall_http_requests_total{council="testshire",method="GET",route="/sign-in",status="200"} 1"#
    ), "{metrics}");
    assert!(metrics.contains("townhall_http_request_duration_seconds_bucket"));
}
