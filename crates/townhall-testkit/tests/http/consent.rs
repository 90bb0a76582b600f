//! Consent grant, time limit, withdrawal and expiry, as the decision API sees them.

use reqwest::StatusCode;
use serde_json::{json, Value};
use townhall_testkit::TestServer;

use crate::accounts::{sign_in, sign_up};

async fn decision(s: &TestServer, key: &str, body: Value) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/consent/decisions"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn grant_withdraw_and_expiry() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    let (resident,): (String,) = townhall_store::sql::query_as("SELECT user_id FROM users")
        .fetch_one(s.db.store.reader())
        .await
        .unwrap();
    let key = s
        .api_key("GP practice", "open311:write consent:read", None)
        .await;
    let ask = |at: Option<&str>| {
        let mut b = json!({"resident": resident, "recipient": "gp", "purpose": "gp-wellbeing-checks", "fields": ["name", "phone"]});
        if let Some(at) = at {
            b["at"] = json!(at);
        }
        b
    };

    let (status, d) = decision(&s, &key, ask(None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["allow"], false, "opt-in purposes start as no: {d}");

    // Grant until 1 June 2099 on the purpose page.
    let r = s
        .submit(
            &c,
            "/account/consent/gp-wellbeing-checks",
            "/account/consent/gp-wellbeing-checks",
            &[
                ("choice", "yes"),
                ("day", "1"),
                ("month", "6"),
                ("year", "2099"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, d) = decision(&s, &key, ask(None)).await;
    assert_eq!(d["allow"], true, "{d}");
    assert_eq!(d["legal_basis"], "consent");
    let (_, d) = decision(&s, &key, ask(Some("2099-06-02T00:00:00Z"))).await;
    assert_eq!(d["allow"], false, "expired: {d}");
    assert!(d["reason"].as_str().unwrap().contains("ended"));

    // Fields outside the purpose are refused whatever the resident said.
    let mut wide = ask(None);
    wide["fields"] = json!(["name", "bank_details"]);
    let (_, d) = decision(&s, &key, wide).await;
    assert_eq!(d["allow"], false);
    assert!(d["reason"].as_str().unwrap().contains("bank_details"));

    // Withdraw by unticking every box on the overview.
    let r = s
        .submit(&c, "/account/consent", "/account/consent", &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, d) = decision(&s, &key, ask(None)).await;
    assert_eq!(d["allow"], false);
    assert!(d["reason"].as_str().unwrap().contains("said no"));
    // Opt-out purposes were on by default and are now withdrawn too; required-by-law stays allowed.
    let (_, d) = decision(&s, &key, json!({"resident": resident, "recipient": "electoral-services", "purpose": "electoral-register", "fields": ["name"]})).await;
    assert_eq!(d["allow"], true);

    // The history keeps every choice, and the receipt is Kantara-shaped.
    let receipt = s.json(&c, "/account/consent/receipt.json").await;
    assert_eq!(receipt["version"], "KI-CR-v1.1.0");
    assert_eq!(receipt["piiPrincipalId"], "lizzy@mail.example");
    let n = s.count("consent_records").await;
    assert!(n >= 4, "history kept: {n}");

    // Bad requests get specific JSON errors.
    let (status, e) = decision(
        &s,
        &key,
        json!({"resident": "nope", "recipient": "gp", "purpose": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"]["code"], "invalid_resident");
    let (status, _) = decision(&s, "th_wrong", ask(None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bad_date_is_explained_next_to_the_field() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "omar@mail.example", "kettle river jumper").await;
    sign_in(&s, &c, "omar@mail.example", "kettle river jumper").await;
    let r = s
        .submit(
            &c,
            "/account/consent/housing-support",
            "/account/consent/housing-support",
            &[
                ("choice", "yes"),
                ("day", "31"),
                ("month", "2"),
                ("year", "2030"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("href=\"#until-day\">The date must be a real date"));
    let n = s.count("consent_records").await;
    assert_eq!(n, 0);
}

#[tokio::test]
async fn the_resident_is_spoken_to_in_plain_english() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    let page = s.text(&c, "/account/consent").await;
    for wrong in ["the resident", "Now:", "..", ". ."] {
        assert!(!page.contains(wrong), "'{wrong}' on the consent page");
    }
    assert!(page.contains("You have not said yes, so we do not share it."));
    // The time-limit links sit beside the labels, not inside them.
    for label in page.split("<label").skip(1) {
        let inside = label.split("</label>").next().unwrap();
        assert!(!inside.contains("<a "), "a link inside a label: {inside}");
    }
    // Saying yes is told back in the resident's words.
    let first = page
        .split("name=\"share\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let r = s
        .submit(
            &c,
            "/account/consent",
            "/account/consent",
            &[("share", &first)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(s
        .text(&c, "/account/consent")
        .await
        .contains("You said yes on "));
    // The access log names what was done in words, not field names.
    let log = s.text(&c, "/account/access-log").await;
    let rows = log
        .split("<tbody>")
        .nth(1)
        .and_then(|rest| rest.split("</tbody>").next())
        .expect("her own choices are listed");
    assert!(
        !rows.contains('_'),
        "a field name in the access log: {rows}"
    );
    assert!(!rows.contains("answers."), "{rows}");
}

#[tokio::test]
async fn a_question_about_an_undeclared_purpose_is_refused_and_reaches_nobodys_record() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    let (resident,): (String,) = townhall_store::sql::query_as("SELECT user_id FROM users")
        .fetch_one(s.db.store.reader())
        .await
        .unwrap();
    let key = s.api_key("GP practice", "consent:read", None).await;
    let audited = s.count("audit_log").await;
    for (purpose, recipient, says) in [
        (
            "URGENT: your council tax account is suspended, call 0900 123 456",
            "gp",
            "is not a purpose of the council's consent policy",
        ),
        (
            "gp-wellbeing-checks",
            "Council fraud team: call 0900 123 456",
            "is not a recipient of the council's consent policy",
        ),
    ] {
        let (status, body) = decision(
            &s,
            &key,
            json!({"resident": resident, "recipient": recipient, "purpose": purpose}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "undeclared");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(says),
            "{body}"
        );
    }
    assert_eq!(s.count("audit_log").await, audited, "nothing was looked at");
    sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    let log = s.text(&c, "/account/access-log").await;
    assert!(log.contains("Who has looked at your information"), "{log}");
    assert!(!log.contains("0900"), "{log}");
}
