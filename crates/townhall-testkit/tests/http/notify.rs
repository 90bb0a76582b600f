//! Email through a real SMTP conversation: delivery, refusal, retry, and the
//! status residents see.

use reqwest::StatusCode;
use townhall_notify::{SmtpSettings, Transport};
use townhall_testkit::smtp::SmtpSink;
use townhall_testkit::TestServer;

use crate::accounts::sign_in;

fn transport(sink: &SmtpSink) -> Transport {
    Transport::smtp(&SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        username: None,
        password: None,
        from: "Testshire Council <noreply@testshire.example>".into(),
        security: "none".into(),
    })
    .unwrap()
}

async fn sign_up(s: &TestServer, c: &reqwest::Client, email: &str) {
    let r = s.sign_up(c, "/sign-up", ("Omar", "Haddad"), email).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn status_of(s: &TestServer, email: &str) -> (String, i64, Option<String>) {
    townhall_store::sql::query_as(
        "SELECT status, attempts, next_attempt_at FROM notifications WHERE recipient = $1",
    )
    .bind(email)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_confirmation_link_arrives_by_smtp_and_the_resident_sees_it_was_sent() {
    let s = TestServer::start().await;
    let sink = SmtpSink::start("250 OK").await;
    let c = s.client();
    sign_up(&s, &c, "omar@mail.example").await;
    let sent = townhall_notify::deliver_pending(&s.db.store, &transport(&sink))
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["omar@mail.example"]);
    // Undo quoted-printable soft breaks, if the mailer used them.
    let text = received[0].data.replace("=\n", "").replace("=3D", "=");
    assert!(
        text.contains("Subject: Confirm your email address"),
        "{text}"
    );
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/verify-email?token="))
        .expect("a confirmation link");
    let r = crate::accounts::choose_password(&c, link, "a good long password").await;
    assert!(r.status().is_success());
    assert_eq!(status_of(&s, "omar@mail.example").await.0, "sending");

    sign_in(&s, &c, "omar@mail.example", "a good long password").await;
    let dashboard = s.text(&c, "/dashboard").await;
    assert!(dashboard.contains("Confirm your email address"));
    assert!(dashboard.contains("<td>Sent</td>"));
}

#[tokio::test]
async fn a_refused_address_fails_for_good() {
    let s = TestServer::start().await;
    let sink = SmtpSink::start("550 5.1.1 No such user here").await;
    sign_up(&s, &s.client(), "nobody@mail.example").await;
    townhall_notify::deliver_pending(&s.db.store, &transport(&sink))
        .await
        .unwrap();
    let (status, attempts, next) = status_of(&s, "nobody@mail.example").await;
    assert_eq!(
        (status.as_str(), attempts, next),
        ("permanent-failure", 1, None)
    );
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_passing_failure_is_tried_again_later_not_at_once() {
    let s = TestServer::start().await;
    let sink = SmtpSink::start("451 4.3.0 Try again later").await;
    sign_up(&s, &s.client(), "busy@mail.example").await;
    let t = transport(&sink);
    townhall_notify::deliver_pending(&s.db.store, &t)
        .await
        .unwrap();
    let (status, attempts, next) = status_of(&s, "busy@mail.example").await;
    assert_eq!((status.as_str(), attempts), ("created", 1));
    assert!(next.is_some(), "a time for the next attempt");
    // Not due yet: a second pass leaves it alone.
    townhall_notify::deliver_pending(&s.db.store, &t)
        .await
        .unwrap();
    assert_eq!(status_of(&s, "busy@mail.example").await.1, 1);
    // Once due, it goes, and is handed on.
    townhall_store::sql::query(
        "UPDATE notifications SET next_attempt_at = '2000-01-01T00:00:00.000000Z'",
    )
    .execute(s.db.store.reader())
    .await
    .unwrap();
    let good = SmtpSink::start("250 OK").await;
    townhall_notify::deliver_pending(&s.db.store, &transport(&good))
        .await
        .unwrap();
    let (status, attempts, _) = status_of(&s, "busy@mail.example").await;
    assert_eq!((status.as_str(), attempts), ("sending", 2));
    assert_eq!(good.received().len(), 1);
}

#[tokio::test]
async fn each_council_can_send_from_its_own_address() {
    let s = TestServer::start_sites(
        &[
            ("testshire", "Testshire Council"),
            ("hillcrest", "Hillcrest Council"),
        ],
        20,
    )
    .await;
    let sink = SmtpSink::start("250 OK").await;
    let c = s.client();
    for (site, email) in s.sites.iter().zip(["t@mail.example", "h@mail.example"]) {
        let r = s
            .sign_up(&c, &site.url("/sign-up"), ("Omar", "Haddad"), email)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let t = transport(&sink)
        .send_as(
            s.sites[1].council.id,
            "Hillcrest Council <hello@hillcrest.example>",
        )
        .unwrap();
    assert_eq!(
        townhall_notify::deliver_pending(&s.db.store, &t)
            .await
            .unwrap(),
        2
    );
    let received = sink.received();
    let from_of = |to: &str| {
        let m = received.iter().find(|m| m.to == [to]).expect("delivered");
        m.data
            .lines()
            .find(|l| l.starts_with("From: "))
            .expect("a From header")
            .to_owned()
    };
    assert!(from_of("t@mail.example").contains("<noreply@testshire.example>"));
    assert!(from_of("h@mail.example").contains("<hello@hillcrest.example>"));
    assert!(transport(&sink)
        .send_as(s.council.id, "not an address")
        .unwrap_err()
        .contains("'not an address' is not an email address"));
}
