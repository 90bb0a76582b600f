//! Sign-in protection that survives a proxy and cannot be turned against
//! people: failures counted per client (the one a trusted proxy names),
//! successes not counted, the same answers whether or not an account exists,
//! the owner told when their account is locked, and reset links that cannot
//! be sprayed.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use townhall_testkit::TestServer;

use crate::accounts::{link_for, sign_in, sign_up};

/// A browser whose requests a proxy says came from `client`.
fn behind(s: &TestServer, client: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(client).unwrap());
    s.client_builder()
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap()
}

/// The bodies of the messages delivered to `to` whose subject holds `subject`.
async fn mail(s: &TestServer, to: &str, subject: &str) -> Vec<String> {
    s.deliver().await;
    s.mailbox(200)
        .await
        .into_iter()
        .filter(|m| m.recipient == to && m.subject.contains(subject))
        .map(|m| m.body)
        .collect()
}

/// The status a sign-in gets.
async fn signs_in(s: &TestServer, c: &reqwest::Client, email: &str, password: &str) -> StatusCode {
    sign_in(s, c, email, password).await.status()
}

/// A wrong password for an address no account has: a failure that locks nobody.
async fn fail(s: &TestServer, c: &reqwest::Client, n: usize) -> StatusCode {
    signs_in(s, c, &format!("nobody{n}@mail.example"), "not the password").await
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let s = TestServer::start_behind_proxy(5, &["127.0.0.1/32"]).await;
    let mallory = behind(&s, "203.0.113.66");
    for n in 0..5 {
        assert_eq!(fail(&s, &mallory, n).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(fail(&s, &mallory, 5).await, StatusCode::TOO_MANY_REQUESTS);
    // Another resident behind the same proxy is not held back.
    let lizzy = behind(&s, "198.51.100.7");
    sign_up(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    assert_eq!(
        signs_in(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn reset_requests_and_sign_ins_have_budgets_of_their_own() {
    let s = TestServer::start_behind_proxy(3, &["127.0.0.1/32"]).await;
    let c = behind(&s, "203.0.113.9");
    let forgot = |email: &'static str| {
        let (s, c) = (&s, &c);
        async move {
            s.submit(
                c,
                "/forgot-password",
                "/forgot-password",
                &[("email", email)],
            )
            .await
            .status()
        }
    };
    for _ in 0..3 {
        assert_eq!(forgot("lizzy@mail.example").await, StatusCode::OK);
    }
    assert_eq!(
        forgot("lizzy@mail.example").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The links asked for leave the household's sign-ins untouched.
    for n in 0..3 {
        assert_eq!(fail(&s, &c, n).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(fail(&s, &c, 3).await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_ipv6_site_cannot_spread_its_guesses_over_its_networks() {
    let s = TestServer::start_behind_proxy(2, &["127.0.0.1/32"]).await;
    // Each /64 has 2; one /48 has 8 × 2 across all of its /64s.
    for n in 0..16 {
        let network = behind(&s, &format!("2001:db8:5:{n:x}::1"));
        assert_eq!(fail(&s, &network, n).await, StatusCode::UNAUTHORIZED, "{n}");
    }
    let next = behind(&s, "2001:db8:5:99::1");
    assert_eq!(fail(&s, &next, 99).await, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = behind(&s, "2001:db8:6::1");
    assert_eq!(fail(&s, &elsewhere, 100).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forwarding_headers_from_anyone_else_are_ignored() {
    // No proxy is trusted: every request is counted under its own address
    // (here all 127.0.0.1), whatever it claims to be forwarded for.
    let s = TestServer::start_with_sign_in_limit(5).await;
    let claims = [
        "203.0.113.1",
        "203.0.113.2",
        "203.0.113.3",
        "203.0.113.4",
        "203.0.113.5",
    ];
    for (n, claim) in claims.into_iter().enumerate() {
        assert_eq!(
            fail(&s, &behind(&s, claim), n).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        fail(&s, &behind(&s, "203.0.113.6"), 6).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn signing_in_successfully_is_never_counted() {
    let s = TestServer::start_with_sign_in_limit(3).await;
    let c = s.client();
    sign_up(&s, &c, "martin@mail.example", "three random words").await;
    for _ in 0..10 {
        let r = sign_in(&s, &s.client(), "martin@mail.example", "three random words").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
}

/// The status and the error next to the field, its digits (the time a lock
/// ends) left out.
async fn answer(s: &TestServer, email: &str) -> (StatusCode, String) {
    let r = sign_in(s, &s.client(), email, "not the password").await;
    let status = r.status();
    let html = r.text().await.unwrap();
    let message = html
        .split("class=\"error-message\"")
        .nth(1)
        .and_then(|rest| rest.split("</span><input").next())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    (status, message)
}

#[tokio::test]
async fn wrong_passwords_get_the_same_answers_whether_or_not_an_account_exists() {
    let s = TestServer::start().await;
    sign_up(&s, &s.client(), "omar@mail.example", "three random words").await;
    for attempt in 1..=7 {
        let known = answer(&s, "omar@mail.example").await;
        let unknown = answer(&s, "nobody@mail.example").await;
        assert_eq!(known.0, unknown.0, "attempt {attempt}");
        assert!(!known.1.is_empty());
        assert_eq!(known.1, unknown.1, "attempt {attempt}");
        if attempt >= 5 {
            assert!(known.1.contains("too many times"), "{}", known.1);
        }
    }
}

#[tokio::test]
async fn the_owner_of_a_locked_account_is_told_and_can_unlock_it() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "omar@mail.example", "three random words").await;
    for _ in 0..5 {
        sign_in(&s, &s.client(), "omar@mail.example", "not the password").await;
    }
    let locked = mail(&s, "omar@mail.example", "locked").await;
    assert_eq!(locked.len(), 1, "told once, when it was locked");
    let link = locked[0]
        .split_whitespace()
        .find(|w| w.contains("/reset-password?token="))
        .unwrap()
        .to_owned();
    // Nobody is told about an address without an account.
    for _ in 0..5 {
        sign_in(&s, &s.client(), "nobody@mail.example", "not the password").await;
    }
    assert!(mail(&s, "nobody@mail.example", "").await.is_empty());
    // The link resets the password and lifts the lock.
    reset_with(&s, &link, "a brand new password").await;
    assert_eq!(
        signs_in(&s, &s.client(), "omar@mail.example", "a brand new password").await,
        StatusCode::SEE_OTHER
    );
}

/// Asks for a reset of `email`'s password; the link in the newest email.
async fn fresh_reset_link(s: &TestServer, email: &str) -> String {
    ask_for_reset(s, &s.client(), email).await;
    mail(s, email, "Reset")
        .await
        .last()
        .and_then(|m| {
            m.split_whitespace()
                .find(|w| w.contains("/reset-password?token="))
                .map(str::to_owned)
        })
        .unwrap()
}

/// Chooses `password` through the reset link `link`; the status.
async fn reset_with(s: &TestServer, link: &str, password: &str) -> (StatusCode, String) {
    let c = s.client();
    let page = c.get(link).send().await.unwrap().text().await.unwrap();
    if !page.contains("name=\"csrf\"") {
        return (StatusCode::BAD_REQUEST, page);
    }
    let csrf = townhall_testkit::csrf_of(&page);
    let token = link.split("token=").nth(1).unwrap();
    let r = c
        .post(s.url("/reset-password"))
        .form(&[("token", token), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn signing_up_again_with_an_address_tells_its_owner_not_the_visitor() {
    let s = TestServer::start().await;
    sign_up(&s, &s.client(), "lizzy@mail.example", "kettle river jumper").await;
    let again = s
        .sign_up(
            &s.client(),
            "/sign-up",
            ("Someone", "Else"),
            "lizzy@mail.example",
        )
        .await;
    let new = s
        .sign_up(
            &s.client(),
            "/sign-up",
            ("Someone", "Else"),
            "new@mail.example",
        )
        .await;
    assert_eq!(again.status(), new.status());
    assert_eq!(again.headers()["location"], new.headers()["location"]);
    let told = mail(&s, "lizzy@mail.example", "already have").await;
    assert_eq!(told.len(), 1, "the owner is told");
    assert!(told[0].contains("/reset-password?token="));
    // The account and its password are as they were.
    assert_eq!(
        signs_in(&s, &s.client(), "lizzy@mail.example", "kettle river jumper").await,
        StatusCode::SEE_OTHER
    );
}

async fn ask_for_reset(s: &TestServer, c: &reqwest::Client, email: &str) -> StatusCode {
    s.submit(
        c,
        "/forgot-password",
        "/forgot-password",
        &[("email", email)],
    )
    .await
    .status()
}

#[tokio::test]
async fn reset_links_cannot_be_sprayed_and_only_the_newest_works() {
    let s = TestServer::start_behind_proxy(20, &["127.0.0.1/32"]).await;
    sign_up(&s, &s.client(), "martin@mail.example", "old password here").await;
    // Thirty requests from thirty clients: a few emails, the same answer each time.
    let clients = (1..=30).map(|n| behind(&s, &format!("203.0.113.{n}")));
    for c in clients {
        assert_eq!(
            ask_for_reset(&s, &c, "martin@mail.example").await,
            StatusCode::OK
        );
    }
    let sent = mail(&s, "martin@mail.example", "Reset").await;
    assert_eq!(sent.len(), 3, "three an hour");
    // One client asking again and again is stopped.
    let pest = behind(&s, "198.51.100.99");
    let mut statuses = Vec::new();
    for _ in 0..21 {
        statuses.push(ask_for_reset(&s, &pest, "someone@mail.example").await);
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));

    // Only the newest link works; once used, none does.
    let links: Vec<String> = sent
        .iter()
        .map(|body| {
            body.split_whitespace()
                .find(|w| w.contains("/reset-password?token="))
                .unwrap()
                .to_owned()
        })
        .collect();
    let newest = link_for(&s, "martin@mail.example").await;
    let older: Vec<&String> = links.iter().filter(|l| **l != newest).collect();
    assert_eq!(older.len(), 2);
    let (status, page) = reset_with(&s, older[0], "a password of mine").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("replaced by a newer one"), "{page}");
    let (status, _) = reset_with(&s, &newest, "a password of mine").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = reset_with(&s, &newest, "yet another one").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn metrics_are_read_only_from_this_machine() {
    let s = TestServer::start_behind_proxy(20, &["127.0.0.1/32"]).await;
    let here = s.client().get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(here.status(), StatusCode::OK);
    // A visitor the proxy forwards from outside finds nothing there.
    let outside = behind(&s, "203.0.113.9")
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
    assert!(!outside.text().await.unwrap().contains("http_requests"));
}

#[tokio::test]
async fn guesses_sent_at_once_cannot_pass_the_limits_together() {
    let s = TestServer::start_with_sign_in_limit(5).await;
    sign_up(&s, &s.client(), "omar@mail.example", "three random words").await;
    // Ten wrong passwords for one account at once: one lock, one email.
    let burst = futures_util::future::join_all((0..10).map(|_| async {
        signs_in(&s, &s.client(), "omar@mail.example", "not the password").await
    }))
    .await;
    let refused = burst
        .iter()
        .filter(|st| **st == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(refused >= 5, "the client's limit holds at once: {burst:?}");
    let locked = mail(&s, "omar@mail.example", "locked").await.len();
    assert!(locked <= 1, "{locked} lock emails");
}

#[tokio::test]
async fn a_reset_link_used_twice_at_once_works_once() {
    let s = TestServer::start().await;
    sign_up(&s, &s.client(), "martin@mail.example", "old password here").await;
    s.submit(
        &s.client(),
        "/forgot-password",
        "/forgot-password",
        &[("email", "martin@mail.example")],
    )
    .await;
    let link = link_for(&s, "martin@mail.example").await;
    let (a, b) = tokio::join!(
        reset_with(&s, &link, "first new password"),
        reset_with(&s, &link, "second new password")
    );
    let worked = [a.0, b.0]
        .iter()
        .filter(|st| **st == StatusCode::OK)
        .count();
    assert_eq!(worked, 1, "{:?} {:?}", a.0, b.0);
}

#[tokio::test]
async fn signing_up_again_and_again_is_limited_like_signing_in() {
    let s = TestServer::start_with_sign_in_limit(5).await;
    sign_up(&s, &s.client(), "lizzy@mail.example", "kettle river jumper").await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = s
            .sign_up(
                &s.client(),
                "/sign-up",
                ("Someone", "Else"),
                "lizzy@mail.example",
            )
            .await;
        statuses.push(r.status());
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
    let told = mail(&s, "lizzy@mail.example", "already have").await.len();
    assert!(told <= 3, "{told} emails to the owner");
}

#[tokio::test]
async fn signing_up_then_in_does_not_tell_whether_the_sign_up_made_the_account() {
    let s = TestServer::start().await;
    sign_up(&s, &s.client(), "omar@mail.example", "three random words").await;
    // The visitor signs up with an address, then tries to sign in with a
    // password: once at an address nobody had, once at Omar's.
    let mut answers = Vec::new();
    for email in ["someone.new@mail.example", "omar@mail.example"] {
        let c = s.client();
        s.sign_up(&c, "/sign-up", ("Some", "One"), email).await;
        let mut seen = Vec::new();
        for _ in 0..6 {
            let r = sign_in(&s, &c, email, "visitor password").await;
            let status = r.status();
            let page = r.text().await.unwrap();
            let message = page
                .split("class=\"error-message\"")
                .nth(1)
                .unwrap_or_default()
                .split("</span><input")
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>();
            seen.push((status, message));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0][0].1.contains("choose your password first"));
    assert!(
        answers[0][5].1.contains("too many times"),
        "both lock alike"
    );
    // Signing in to an unconfirmed account sends nothing more: one link to
    // confirm, one lock notice, however often it is tried.
    assert_eq!(
        mail(&s, "someone.new@mail.example", "").await.len(),
        1,
        "the confirmation; a lock notice goes only to an address its owner confirmed"
    );
}

/// The account of `kind` with `email`.
async fn account(
    s: &TestServer,
    kind: townhall_identity::UserKind,
    email: &str,
) -> townhall_identity::User {
    let email = townhall_types::EmailAddress::parse(email).unwrap();
    townhall_identity::accounts::find_by_email(&s.db.store, s.council.id, kind, &email)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn staff_are_told_of_a_lock_but_never_sent_a_reset_link() {
    let s = TestServer::start().await;
    s.add_staff(
        "tom.okafor@testshire.example",
        "Tom Okafor",
        townhall_identity::Role::Caseworker,
        Some("Highways"),
        "a staff password",
    )
    .await;
    for _ in 0..5 {
        s.submit(
            &s.client(),
            "/staff/sign-in",
            "/staff/sign-in",
            &[
                ("email", "tom.okafor@testshire.example"),
                ("password", "not the password"),
            ],
        )
        .await;
    }
    let told = mail(&s, "tom.okafor@testshire.example", "locked").await;
    assert_eq!(told.len(), 1);
    assert!(told[0].contains("ask your administrator"), "{}", told[0]);
    assert!(!told[0].contains("token="), "{}", told[0]);
    // A reset link for a staff account, however it came to exist, is refused.
    let tom = account(
        &s,
        townhall_identity::UserKind::Staff,
        "tom.okafor@testshire.example",
    )
    .await;
    let mut tx = s.db.store.begin().await.unwrap();
    let token = townhall_identity::tokens::issue(
        &mut tx,
        s.council.id,
        tom.id,
        townhall_identity::tokens::TokenPurpose::ResetPassword,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let link = s.url(&format!("/reset-password?token={token}"));
    let (status, body) = reset_with(&s, &link, "a password of my own").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("administrator"), "{body}");
}

#[tokio::test]
async fn the_lock_notice_is_sent_even_when_reset_emails_are_used_up() {
    let s = TestServer::start().await;
    sign_up(&s, &s.client(), "omar@mail.example", "three random words").await;
    for _ in 0..4 {
        ask_for_reset(&s, &s.client(), "omar@mail.example").await;
    }
    for _ in 0..5 {
        sign_in(&s, &s.client(), "omar@mail.example", "not the password").await;
    }
    assert_eq!(mail(&s, "omar@mail.example", "locked").await.len(), 1);
}

#[tokio::test]
async fn a_password_reset_removes_passkeys_and_an_added_one_is_reported() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "omar@mail.example", "three random words").await;
    let omar = account(
        &s,
        townhall_identity::UserKind::Resident,
        "omar@mail.example",
    )
    .await;
    townhall_store::sql::query(
        "INSERT INTO passkeys (council_id, credential_id, user_id, passkey, created_at) \
         VALUES ($1, 'a-credential', $2, '{}', '2026-12-01T00:00:00.000000Z')",
    )
    .bind(s.council.id.to_string())
    .bind(omar.id.to_string())
    .execute(s.db.store.reader())
    .await
    .unwrap();
    let link = fresh_reset_link(&s, "omar@mail.example").await;
    let (status, body) = reset_with(&s, &link, "a brand new password").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("passkeys have been removed"), "{body}");
    assert_eq!(s.count("passkeys").await, 0);
}

#[tokio::test]
async fn a_passkey_ceremony_is_one_try_and_each_start_counts() {
    let s = TestServer::start().await;
    let scripted = crate::accounts::Scripted::new(&s).await;
    let post = |path: &'static str, body: String| scripted.post(path, body);
    let r = post("/sign-in/passkey/start", "{}".into()).await;
    let v: serde_json::Value = r.json().await.unwrap();
    let ceremony = v["ceremony"].as_str().unwrap().to_owned();
    // An answer that does not verify uses the ceremony up.
    let answer = format!(
        "{{\"ceremony\": \"{ceremony}\", \"credential\": {{\"id\": \"AA\", \"rawId\": \"AA\", \"type\": \"public-key\", \
         \"response\": {{\"authenticatorData\": \"AA\", \"clientDataJSON\": \"AA\", \"signature\": \"AA\", \"userHandle\": \"AA\"}}, \"extensions\": {{}}}}}}"
    );
    let first = post("/sign-in/passkey/finish", answer.clone()).await;
    assert_eq!(first.status(), StatusCode::BAD_REQUEST);
    let again = post("/sign-in/passkey/finish", answer).await;
    let v: serde_json::Value = again.json().await.unwrap();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("expired"),
        "{v}"
    );
    // Starting is an attempt: the client's 20 in five minutes run out.
    let mut last = StatusCode::OK;
    for _ in 0..20 {
        last = post("/sign-in/passkey/start", "{}".into()).await.status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Told as every API tells it.
    let r = post("/sign-in/passkey/start", "{}".into()).await;
    assert_eq!(r.headers()["retry-after"], "300");
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "rate_limited", "{v}");
}

#[tokio::test]
async fn signing_up_with_someone_elses_address_gives_no_way_in() {
    let s = TestServer::start().await;
    // Someone signs up with Omar's address, sending a password of theirs
    // with the form for good measure.
    let squatter = s.client();
    s.submit(
        &squatter,
        "/sign-up",
        "/sign-up",
        &[
            ("given_name", "Not"),
            ("family_name", "Omar"),
            ("email", "omar@mail.example"),
            ("password", "squatter password"),
        ],
    )
    .await;
    // Omar opens the link in his mailbox and chooses his own password.
    let omar = s.client();
    let link = link_for(&s, "omar@mail.example").await;
    let r = crate::accounts::choose_password(&omar, &link, "omar's own words").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        signs_in(&s, &squatter, "omar@mail.example", "squatter password").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        signs_in(&s, &omar, "omar@mail.example", "omar's own words").await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_account_without_a_password_cannot_be_signed_in_to() {
    // As accounts moved from an older system arrive: confirmed, no password.
    let s = TestServer::start().await;
    let email = townhall_types::EmailAddress::parse("hannah@mail.example").unwrap();
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_identity::accounts::create(
        &mut tx,
        s.council.id,
        &townhall_identity::accounts::NewAccount {
            kind: townhall_identity::UserKind::Resident,
            email: &email,
            display_name: "Hannah Ahmed",
            password_hash: None,
            verified: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for guess in ["decoy password that matches nothing", "anything at all"] {
        let r = sign_in(&s, &s.client(), "hannah@mail.example", guess).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{guess:?}");
    }
    // A form sent without a password is a form to finish, not a wrong guess.
    let r = sign_in(&s, &s.client(), "hannah@mail.example", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Enter your password"));
}

#[tokio::test]
async fn a_sign_up_link_left_in_a_mailbox_cannot_undo_a_reset() {
    let s = TestServer::start().await;
    let c = s.client();
    s.sign_up(&c, "/sign-up", ("Bob", "Twice"), "bob@mail.example")
        .await;
    let confirm = crate::accounts::link_for(&s, "bob@mail.example").await;
    let reset = fresh_reset_link(&s, "bob@mail.example").await;
    let (status, _) = reset_with(&s, &reset, "the password bob chose").await;
    assert_eq!(status, StatusCode::OK);
    let r = c.get(&confirm).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        signs_in(
            &s,
            &s.client(),
            "bob@mail.example",
            "the password bob chose"
        )
        .await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_client_held_back_is_told_in_plain_words_and_when_to_come_back() {
    let s = TestServer::start().await;
    let c = behind(&s, "203.0.113.50");
    for n in 0..20 {
        fail(&s, &c, n).await;
    }
    let r = sign_in(&s, &c, "nobody@mail.example", "not the password").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "300");
    let page = r.text().await.unwrap();
    assert!(page.contains("<h1>Too many attempts</h1>"), "{page}");
    assert!(!page.contains("Too Many Requests"), "{page}");
    assert!(!page.contains("Run by Townhall"), "{page}");
}

#[tokio::test]
async fn the_sign_up_link_can_be_sent_again_and_says_nothing_of_other_addresses() {
    let s = TestServer::start().await;
    let c = s.client();
    s.sign_up(&c, "/sign-up", ("Leila", "Haddad"), "leila@mail.example")
        .await;
    let resend = |email: &'static str| {
        let (s, c) = (&s, &c);
        async move {
            let r = s
                .submit(
                    c,
                    "/sign-up/check-email",
                    "/sign-up/check-email",
                    &[("email", email)],
                )
                .await;
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, page) = resend("Leila@Mail.Example").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("leila@mail.example</strong> is waiting to be confirmed"));
    let links = mail(&s, "leila@mail.example", "Confirm your email").await;
    assert_eq!(links.len(), 2, "the first link and the one sent again");
    // The new link (the latest) finishes signing up.
    let link = links[0]
        .split_whitespace()
        .find(|w| w.contains("/verify-email?token="))
        .unwrap()
        .to_owned();
    let r = crate::accounts::choose_password(&c, &link, "leila's chosen words").await;
    assert_eq!(r.status(), StatusCode::OK);
    // A confirmed address, or one with no account, gets the same page and no email.
    for email in ["leila@mail.example", "nobody@mail.example"] {
        let (status, page) = resend(email).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("is waiting to be confirmed"), "{email}");
    }
    assert_eq!(
        mail(&s, "leila@mail.example", "Confirm your email")
            .await
            .len(),
        2
    );
    assert!(mail(&s, "nobody@mail.example", "").await.is_empty());
    // An address that is not one gets a 422 naming the field.
    let (status, page) = resend("leila at mail").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#email\""), "{page}");
}

/// Signs in on `c` and out again: the browser keeps its device cookie.
async fn signs_in_and_out(s: &TestServer, c: &reqwest::Client, email: &str, password: &str) {
    assert_eq!(signs_in(s, c, email, password).await, StatusCode::SEE_OTHER);
    let page = s.text(c, "/dashboard").await;
    let r = c
        .post(s.url("/sign-out"))
        .form(&[("csrf", townhall_testkit::csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    assert!(s.text(c, "/sign-in").await.contains("name=\"password\""));
}

#[tokio::test]
async fn wrong_passwords_sent_by_others_never_lock_out_a_device_the_owner_signed_in_on() {
    let s = TestServer::start().await;
    let martin = s.client();
    sign_up(&s, &martin, "martin@mail.example", "three random words").await;
    signs_in_and_out(&s, &martin, "martin@mail.example", "three random words").await;
    // Someone else sends five wrong passwords: the account is locked.
    let mallory = s.client();
    for _ in 0..5 {
        signs_in(&s, &mallory, "martin@mail.example", "not his password").await;
    }
    let (status, message) = answer(&s, "martin@mail.example").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("too many times"), "{message}");
    // A browser that has never signed in to it is held by the lock.
    assert_eq!(
        signs_in(&s, &s.client(), "martin@mail.example", "three random words").await,
        StatusCode::UNAUTHORIZED
    );
    // Martin's own browser is not.
    assert_eq!(
        signs_in(&s, &martin, "martin@mail.example", "three random words").await,
        StatusCode::SEE_OTHER
    );
    // Its cookie vouches for his account only.
    for _ in 0..6 {
        signs_in(&s, &mallory, "lizzy@mail.example", "a guess").await;
    }
    assert_eq!(
        answer(&s, "lizzy@mail.example").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_forged_or_borrowed_device_cookie_opens_nothing() {
    let s = TestServer::start().await;
    let martin = s.client();
    sign_up(&s, &martin, "martin@mail.example", "three random words").await;
    signs_in_and_out(&s, &martin, "martin@mail.example", "three random words").await;
    let lizzy = s.client();
    sign_up(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    // Lock Lizzy's account.
    for _ in 0..5 {
        signs_in(&s, &s.client(), "lizzy@mail.example", "wrong").await;
    }
    // Martin's browser has a device cookie, for his account, not hers.
    assert_eq!(
        signs_in(&s, &martin, "lizzy@mail.example", "kettle river jumper").await,
        StatusCode::UNAUTHORIZED
    );
    // A cookie written by hand is not one the server made.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let (lizzys,): (String,) = townhall_store::sql::query_as(
        "SELECT user_id FROM users WHERE email = 'lizzy@mail.example'",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    jar.add_cookie_str(
        &format!("townhall_device={lizzys}.a-nonce.{}", "0".repeat(64)),
        &s.url("/").parse().unwrap(),
    );
    let forged = s.client_builder().cookie_provider(jar).build().unwrap();
    assert_eq!(
        signs_in(&s, &forged, "lizzy@mail.example", "kettle river jumper").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn forms_that_check_no_password_spend_no_sign_ins() {
    let s = TestServer::start_with_sign_in_limit(3).await;
    let c = s.client();
    sign_up(&s, &c, "omar@mail.example", "three random words").await;
    let other = s.client();
    let scripted = crate::accounts::Scripted::new(&s).await;
    for _ in 0..10 {
        assert_eq!(
            signs_in(&s, &other, "", "").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        scripted.post("/sign-in/passkey/start", "{}".into()).await;
    }
    assert_eq!(
        scripted
            .post("/sign-in/passkey/start", "{}".into())
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS,
        "ceremonies have a budget of their own"
    );
    // Passkey ceremonies and unfilled forms left the passwords' budget whole.
    assert_eq!(
        signs_in(&s, &s.client(), "omar@mail.example", "three random words").await,
        StatusCode::SEE_OTHER
    );
    for n in 0..3 {
        assert_eq!(fail(&s, &other, n).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(fail(&s, &other, 3).await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_form_that_cannot_be_read_gets_a_page_that_says_what_to_do() {
    let s = TestServer::start().await;
    let c = s.client();
    let page = s.text(&c, "/sign-in").await;
    let csrf = townhall_testkit::csrf_of(&page);
    let r = c
        .post(s.url("/sign-in"))
        .form(&[
            ("email", "a@mail.example"),
            ("email", "b@mail.example"),
            ("password", "x"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("The form could not be read"), "{body}");
    assert!(!body.contains("duplicate"), "{body}");
    // The same for an address whose query cannot be read.
    let r = c
        .get(s.url("/reset-password?token=a&token=b"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("Go back and follow the link again"), "{body}");
    assert!(!body.contains("duplicate"), "{body}");
    // Spaces alone are a password not yet typed.
    assert_eq!(
        signs_in(&s, &c, "a@mail.example", "   ").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_known_device_has_its_own_tries_and_a_reset_forgets_every_device() {
    let s = TestServer::start().await;
    let martin = s.client();
    sign_up(&s, &martin, "martin@mail.example", "three random words").await;
    signs_in_and_out(&s, &martin, "martin@mail.example", "three random words").await;
    // His own browser's wrong passwords are its own: after five it is
    // locked and counts as any browser; the account is not locked by them.
    for _ in 0..6 {
        assert_eq!(
            signs_in(&s, &martin, "martin@mail.example", "a slip").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        signs_in(&s, &s.client(), "martin@mail.example", "three random words").await,
        StatusCode::SEE_OTHER,
        "the account is not locked by a known device's slips"
    );

    // A browser that knew the old password is forgotten by a reset: it no
    // longer passes a lock.
    let lizzy = s.client();
    sign_up(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    let thief = s.client();
    signs_in_and_out(&s, &thief, "lizzy@mail.example", "kettle river jumper").await;
    let link = fresh_reset_link(&s, "lizzy@mail.example").await;
    let (status, _) = reset_with(&s, &link, "a new password of lizzy's").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.count("known_devices").await,
        2,
        "only the two browsers martin signed in on"
    );
    for _ in 0..5 {
        signs_in(&s, &thief, "lizzy@mail.example", "guess").await;
    }
    assert_eq!(
        signs_in(
            &s,
            &thief,
            "lizzy@mail.example",
            "a new password of lizzy's"
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "the thief's browser is held by the lock like any other"
    );
}

#[tokio::test]
async fn an_owner_hears_of_a_few_locks_a_day_not_of_every_one() {
    let s = TestServer::start().await;
    sign_up(&s, &s.client(), "omar@mail.example", "three random words").await;
    // Four lock notices went out today already.
    for n in 0..4 {
        townhall_store::sql::query(
            "INSERT INTO notifications (council_id, notification_id, channel, recipient, \
             template_id, subject, body, status, created_at, updated_at) \
             VALUES ($1, $2, 'email', 'omar@mail.example', 'account-locked', 's', 'b', \
             'delivered', $3, $3)",
        )
        .bind(s.council.id.to_string())
        .bind(format!("00000000-0000-7000-8000-00000000000{n}"))
        .bind(townhall_types::Timestamp::now().to_db())
        .execute(s.db.store.reader())
        .await
        .unwrap();
    }
    for _ in 0..5 {
        signs_in(&s, &s.client(), "omar@mail.example", "not his password").await;
    }
    let (status, message) = answer(&s, "omar@mail.example").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("too many times"), "{message}");
    let (notices,): (i64,) = townhall_store::sql::query_as(
        "SELECT COUNT(*) FROM notifications WHERE template_id = 'account-locked'",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(notices, 4, "the fifth lock of the day is not told");
}
