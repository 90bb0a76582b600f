//! Sign-up, confirmation, sign-in and out, wrong passwords, lock-out, CSRF, password reset.

use reqwest::StatusCode;
use townhall_testkit::{csrf_of, TestServer};

/// The link in the newest message to `to`.
pub async fn link_for(s: &TestServer, to: &str) -> String {
    s.deliver().await;
    let mail = s.mailbox(20).await;
    let m = mail
        .iter()
        .find(|m| m.recipient == to)
        .expect("a message was sent");
    m.body
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap()
        .to_owned()
}

/// Signs up as Lizzy Parker with `email`, then follows the emailed link
/// and chooses `password`.
pub async fn sign_up(s: &TestServer, c: &reqwest::Client, email: &str, password: &str) {
    let r = s.sign_up(c, "/sign-up", ("Lizzy", "Parker"), email).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let link = link_for(s, email).await;
    let r = choose_password(c, &link, password).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Your account is ready"));
}

/// Opens the sign-up link `link` and saves `password` with it, on the site
/// the link leads to.
pub async fn choose_password(c: &reqwest::Client, link: &str, password: &str) -> reqwest::Response {
    let page = c.get(link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Choose a password"), "{page}");
    let (form, token) = link.split_once("?token=").unwrap();
    c.post(form)
        .form(&[
            ("token", token),
            ("password", password),
            ("csrf", &csrf_of(&page)),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn sign_in(
    s: &TestServer,
    c: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    s.submit(
        c,
        "/sign-in",
        "/sign-in",
        &[("email", email), ("password", password)],
    )
    .await
}

/// A browser's script calling the JSON endpoints of the sign-in page, with
/// the page's CSRF token in a header as `passkey.js` sends it.
pub struct Scripted<'a> {
    s: &'a TestServer,
    c: reqwest::Client,
    token: String,
}

impl<'a> Scripted<'a> {
    pub async fn new(s: &'a TestServer) -> Self {
        let c = s.client();
        let page = c.get(s.url("/sign-in")).send().await.unwrap();
        let token = csrf_of(&page.text().await.unwrap());
        Self { s, c, token }
    }

    pub async fn post(&self, path: &str, body: String) -> reqwest::Response {
        self.c
            .post(self.s.url(path))
            .header("content-type", "application/json")
            .header("x-csrf-token", &self.token)
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn sign_up_confirm_sign_in_and_out() {
    let s = TestServer::start().await;
    let c = s.client();
    // Before the password is chosen with the emailed link, no password
    // signs in, and the message says what to do.
    let r = s
        .sign_up(&c, "/sign-up", ("Lizzy", "Parker"), "lizzy@mail.example")
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("choose your password first with the link we emailed you"));
    let link = link_for(&s, "lizzy@mail.example").await;
    // A password that breaks the rules is explained against the field.
    let r = choose_password(&c, &link, "short").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("password-error"));
    let r = choose_password(&c, &link, "kettle river jumper").await;
    assert_eq!(r.status(), StatusCode::OK);
    // The link works once only; used again, it says the address is
    // confirmed rather than that something went wrong.
    assert!(c
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("already confirmed"));

    let r = sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/dashboard");
    let dash = c.get(s.url("/dashboard")).send().await.unwrap();
    assert_eq!(dash.status(), StatusCode::OK);
    assert!(dash.text().await.unwrap().contains("Hello Lizzy Parker"));

    let r = s.submit(&c, "/dashboard", "/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dash = c.get(s.url("/dashboard")).send().await.unwrap();
    assert_eq!(dash.status(), StatusCode::SEE_OTHER);
    assert_eq!(dash.headers()["location"], "/sign-in");
}

#[tokio::test]
async fn an_address_is_the_same_whatever_its_capitals() {
    let s = TestServer::start().await;
    let c = s.client();
    let r = s
        .sign_up(
            &c,
            "/sign-up",
            ("Omar", "Haddad"),
            "Omar.Haddad@Mail.Example",
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let link = link_for(&s, "omar.haddad@mail.example").await;
    choose_password(&c, &link, "three random words").await;
    for typed in [
        "omar.haddad@mail.example",
        "OMAR.HADDAD@MAIL.EXAMPLE",
        " Omar.Haddad@mail.example ",
    ] {
        let r = sign_in(&s, &s.client(), typed, "three random words").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{typed}");
    }
    // Signing up again with other capitals finds the same account.
    s.sign_up(
        &s.client(),
        "/sign-up",
        ("Omar", "Haddad"),
        "OMAR.haddad@mail.example",
    )
    .await;
    assert_eq!(s.count("users").await, 1);
}

#[tokio::test]
async fn bad_sign_up_input_is_shown_against_each_field_and_nothing_is_stored() {
    let s = TestServer::start().await;
    let c = s.client();
    let r = s
        .sign_up(&c, "/sign-up", ("", "Parker"), "not-an-email")
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("<title>Error: Create an account"));
    assert!(html.contains("href=\"#given_name\">Enter your first name"));
    assert!(html.contains("href=\"#email\">Enter an email address in the correct format"));
    assert!(
        !html.contains("name=\"password\""),
        "chosen with the emailed link"
    );
    assert!(html.contains("value=\"Parker\""), "what was typed is kept");
    let n = s.count("users").await;
    assert_eq!(n, 0);
}

#[tokio::test]
async fn wrong_passwords_lock_the_account() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "omar@mail.example", "three random words").await;
    for _ in 0..4 {
        let r = sign_in(&s, &c, "omar@mail.example", "wrong password!").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("The email address or password is not right"));
    }
    let r = sign_in(&s, &c, "omar@mail.example", "wrong password!").await;
    assert!(r.text().await.unwrap().contains("too many times"));
    // Even the right password is refused while locked.
    let r = sign_in(&s, &c, "omar@mail.example", "three random words").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("too many times"));
    // An account that does not exist gets the same answer as a wrong password.
    let r = sign_in(&s, &c, "nobody@mail.example", "three random words").await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The email address or password is not right"));
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_rejected() {
    let s = TestServer::start().await;
    let c = s.client();
    c.get(s.url("/sign-in")).send().await.unwrap();
    let missing = c
        .post(s.url("/sign-in"))
        .form(&[("email", "a@b.example"), ("password", "whatever1")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let forged = c
        .post(s.url("/sign-up"))
        .form(&[("email", "a@b.example"), ("csrf", "00ff")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // A token from another browser is no good either.
    let other = s.client();
    let token = csrf_of(&s.text(&other, "/sign-in").await);
    let stolen = c
        .post(s.url("/sign-in"))
        .form(&[
            ("email", "a@b.example"),
            ("password", "x"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn password_reset_ends_old_sessions() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "martin@mail.example", "old password here").await;
    assert_eq!(
        sign_in(&s, &c, "martin@mail.example", "old password here")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let other = s.client();
    let r = s
        .submit(
            &other,
            "/forgot-password",
            "/forgot-password",
            &[("email", "martin@mail.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let link = link_for(&s, "martin@mail.example").await;
    assert!(link.contains("/reset-password?token="));
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let page = other.get(&link).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let r = other
        .post(s.url("/reset-password"))
        .form(&[
            ("token", token.as_str()),
            ("password", "new password here"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The first browser's session has ended; the old password no longer works; the new one does.
    assert_eq!(
        c.get(s.url("/dashboard")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&s, &c, "martin@mail.example", "old password here")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&s, &c, "martin@mail.example", "new password here")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_resident_cannot_reach_staff_pages_or_other_residents() {
    let s = TestServer::start().await;
    let a = s.client();
    sign_up(&s, &a, "a@mail.example", "resident a password").await;
    let b = s.client();
    sign_up(&s, &b, "b@mail.example", "resident b password").await;
    let b_id: (String,) =
        townhall_store::sql::query_as("SELECT user_id FROM users WHERE email = 'b@mail.example'")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    sign_in(&s, &a, "a@mail.example", "resident a password").await;
    for path in ["/staff", &format!("/staff/residents/{}", b_id.0)] {
        assert_eq!(
            a.get(s.url(path)).send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for path in [
        "/dashboard",
        "/account",
        "/account/consent",
        "/account/access-log",
        "/account/consent/receipt.json",
    ] {
        let body = s.text(&a, path).await;
        assert!(
            !body.contains("b@mail.example"),
            "{path} shows another resident's data"
        );
    }
}

#[tokio::test]
async fn a_resident_cannot_remove_another_residents_passkey() {
    let s = TestServer::start().await;
    let a = s.client();
    sign_up(&s, &a, "a@mail.example", "resident a password").await;
    let b = s.client();
    sign_up(&s, &b, "b@mail.example", "resident b password").await;
    townhall_store::sql::query(
        "INSERT INTO passkeys (council_id, credential_id, user_id, passkey, created_at) \
         SELECT council_id, 'b-credential', user_id, '{}', '2026-11-23T10:00:00.000000Z' \
         FROM users WHERE email = 'b@mail.example'",
    )
    .execute(s.db.store.reader())
    .await
    .unwrap();
    sign_in(&s, &a, "a@mail.example", "resident a password").await;
    let r = s
        .submit(&a, "/account", "/account/passkeys/b-credential/remove", &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(s.count("passkeys").await, 1);
}

#[tokio::test]
async fn passkey_endpoints_explain_bad_requests_in_json() {
    let s = TestServer::start().await;
    let scripted = Scripted::new(&s).await;
    let post = |path: &'static str, body: &'static str| scripted.post(path, body.to_owned());
    // Starting names no account, so its answer is the same for everybody: a
    // challenge for any passkey this site keeps, listing none.
    let r = post("/sign-in/passkey/start", "{}").await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    let options = &v["options"]["publicKey"];
    assert_eq!(options["userVerification"], "required", "{v}");
    assert!(
        options["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{v}"
    );
    assert!(
        v["options"].get("mediation").is_none(),
        "a button asks: {v}"
    );
    assert!(!v["ceremony"].as_str().unwrap().is_empty());
    let r = post(
        "/sign-in/passkey/finish",
        "{\"ceremony\": \"made-up\", \"credential\": {\"id\": \"AA\", \"rawId\": \"AA\", \"type\": \"public-key\", \
         \"response\": {\"authenticatorData\": \"AA\", \"clientDataJSON\": \"AA\", \"signature\": \"AA\"}, \"extensions\": {}}}",
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("expired"));
    let r = post("/sign-in/passkey/finish", "not json").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("could not be read"));
    assert_eq!(
        post("/account/passkeys/start", "{}").await.status(),
        StatusCode::SEE_OTHER,
        "adding a passkey needs a signed-in resident"
    );
}

#[tokio::test]
async fn a_resident_puts_right_the_name_and_birthday_their_account_holds() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "vera@mail.example", "kettle river jumper").await;
    let r = sign_in(&s, &c, "vera@mail.example", "kettle river jumper").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Someone else typed these (the sign-up helper's): she changes them.
    let page = s.text(&c, "/account/details").await;
    assert!(page.contains("value=\"Lizzy\""), "{page}");
    let r = s
        .submit(
            &c,
            "/account/details",
            "/account/details",
            &[
                ("given_name", ""),
                ("family_name", "Vickers"),
                ("date_of_birth-day", "31"),
                ("date_of_birth-month", "2"),
                ("date_of_birth-year", "1990"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#given_name\""), "{page}");
    assert!(page.contains("Date of birth must be a real date"), "{page}");
    let r = s
        .submit(
            &c,
            "/account/details",
            "/account/details",
            &[
                ("given_name", "Vera"),
                ("family_name", "Vickers"),
                ("date_of_birth-day", "5"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "1990"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let account = s.text(&c, "/account?details=changed").await;
    assert!(
        account.contains("Your details have been changed"),
        "{account}"
    );
    assert!(
        account.contains("Vera Vickers") && account.contains("5 May 1990"),
        "{account}"
    );
    let log = s.text(&c, "/account/access-log").await;
    assert!(
        log.contains("changed your details: your name, your date of birth"),
        "{log}"
    );
    // Signed out, nobody changes anything.
    let r = s
        .client()
        .get(s.url("/account/details"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/sign-in");
}
