//! API keys: each belongs to one council and opens only what its scopes
//! name, through the one authorisation function, whichever API it is sent
//! to and however it is sent.

use reqwest::StatusCode;
use serde_json::{json, Value};
use townhall_testkit::TestServer;

async fn two_councils() -> TestServer {
    TestServer::start_sites(
        &[
            ("riverside", "Riverside Borough Council"),
            ("hillcrest", "Hillcrest District Council"),
        ],
        20,
    )
    .await
}

/// Sends Open311 `POST requests` to `site`: its status and errors.
async fn report(
    s: &TestServer,
    site: &townhall_testkit::TestSite,
    bearer: Option<&str>,
    form: &[(&str, String)],
) -> (StatusCode, Value) {
    let mut r = s
        .client()
        .post(site.url("/open311/v2/requests.json"))
        .form(form);
    if let Some(key) = bearer {
        r = r.bearer_auth(key);
    }
    let r = r.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_key_opens_its_own_council_only_and_only_what_its_scopes_name() {
    let s = two_councils().await;
    let (river, hill) = (&s.sites[0], &s.sites[1]);
    let reporter = s
        .api_key("Street Reporter app", "open311:write", None)
        .await;
    let gp = s.api_key("GP practice", "consent:read", None).await;
    // A form the key is checked on before anything else: a service nobody
    // offers, so that a key let through gets a 400 naming the service.
    let form = |key: &str| {
        [
            ("api_key", key.to_owned()),
            ("service_code", "no-such-service".to_owned()),
        ]
    };

    let (status, errors) = report(&s, river, None, &form(&reporter)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{errors}");
    // Riverside's key is no key at Hillcrest.
    let (status, errors) = report(&s, hill, None, &form(&reporter)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        errors[0]["description"],
        "api_key: The API key is not valid"
    );
    // A key for consent decisions reports nothing, and is told the scope.
    let (status, errors) = report(&s, river, None, &form(&gp)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        errors[0]["description"],
        "api_key: This API key has the scopes consent:read; this needs open311:write"
    );
    // The key may come as the other APIs take it.
    let (status, errors) = report(
        &s,
        river,
        Some(&reporter),
        &[("service_code", "no-such-service".to_owned())],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{errors}");

    // The consent decision point, in JSON.
    let ask = |site: &townhall_testkit::TestSite, key: &str| {
        s.client()
            .post(site.url("/api/v1/consent/decisions"))
            .bearer_auth(key)
            .json(
                &json!({"resident": townhall_types::UserId::new().to_string(),
                          "recipient": "gp", "purpose": "gp-wellbeing-checks"}),
            )
            .send()
    };
    assert_eq!(ask(river, &gp).await.unwrap().status(), StatusCode::OK);
    let r = ask(hill, &gp).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    let r = ask(river, &reporter).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "This API key has the scopes open311:write; this needs consent:read"
    );

    // The scheme's name is any case; a key sent twice over is refused.
    let r = s
        .client()
        .post(river.url("/api/v1/consent/decisions"))
        .header("authorization", format!("bearer {gp}"))
        .json(
            &json!({"resident": townhall_types::UserId::new().to_string(),
                      "recipient": "gp", "purpose": "gp-wellbeing-checks"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, errors) = report(&s, river, Some(&reporter), &form(&reporter)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        errors[0]["description"]
            .as_str()
            .unwrap()
            .contains("not both"),
        "{errors}"
    );
    // An address no API answers is answered in the API's form.
    let r = s
        .client()
        .get(river.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}
