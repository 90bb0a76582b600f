//! Paying for a service when the payer does not do what the page expects:
//! never coming back from the provider, paying twice for one vehicle,
//! coming back while the server finishes the payment itself, or paying
//! long after starting.

use reqwest::StatusCode;
use time::Duration;
use townhall_cases::paid::Finished;
use townhall_testkit::{TestServer, HOME_IN_ZONE};

use crate::journeys::resident_at;

const START: &str = "/services/apply-parking-permit/start";
const SUBMIT: &str = "/services/apply-parking-permit/submit";

fn permit_for(registration: &str) -> [(&'static str, &str); 4] {
    [
        ("address-uprn", HOME_IN_ZONE),
        ("registration", registration),
        ("make", "Ford Fiesta"),
        ("keeper", "yes"),
    ]
}

/// Starts a permit application and returns the payment page's address.
async fn start_paying(s: &TestServer, c: &reqwest::Client, registration: &str) -> String {
    let r = s.submit(c, START, SUBMIT, &permit_for(registration)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let pay = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(pay.ends_with("/record"), "{pay}");
    pay
}

/// Pays on the payment page; the address the payer is sent back to.
async fn pay(s: &TestServer, c: &reqwest::Client, pay: &str) -> String {
    let r = s.submit(c, pay, pay, &[("decision", "pay")]).await;
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.ends_with("/return"), "{back}");
    back
}

async fn payments(s: &TestServer) -> Vec<(String, Option<String>)> {
    townhall_store::sql::query_as("SELECT status, case_id FROM payments ORDER BY created_at")
        .fetch_all(s.db.store.reader())
        .await
        .unwrap()
}

/// The types of the events told about cases and payments, in order.
async fn told(s: &TestServer) -> Vec<String> {
    townhall_events::after(&s.db.store, s.council.id, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.cloud_type)
        .filter(|t| t.starts_with("townhall.case.") || t.starts_with("townhall.payment."))
        .collect()
}

#[tokio::test]
async fn a_payer_who_never_comes_back_still_has_their_request_made() {
    let s = TestServer::start().await;
    let c = resident_at(&s, "lizzy@mail.example", HOME_IN_ZONE).await;
    let page = start_paying(&s, &c, "AB12 CDE").await;
    // She pays, and closes the tab before the provider sends her back.
    let back = pay(&s, &c, &page).await;
    assert_eq!(s.count("cases").await, 0);

    // She may still be on her way back: the server leaves it for now.
    assert_eq!(
        s.finish_payments(Duration::minutes(5)).await,
        Finished::default()
    );
    assert_eq!(s.count("cases").await, 0);
    let finished = s.finish_payments(Duration::minutes(11)).await;
    assert_eq!(
        finished,
        Finished {
            made: 1,
            ..Finished::default()
        }
    );
    let settled = payments(&s).await;
    assert_eq!(settled.len(), 1);
    assert_eq!(settled[0].0, "success");
    assert!(settled[0].1.is_some(), "the payment names its case");
    assert_eq!(
        told(&s).await,
        ["townhall.case.submitted.v1", "townhall.payment.settled.v1"]
    );
    // She is told, as if she had come back.
    let mail = s.mailbox(10).await;
    assert!(
        mail.iter()
            .any(|m| m.recipient == "lizzy@mail.example" && m.body.contains("TES-000001")),
        "{mail:?}"
    );
    assert!(s.text(&c, "/requests/TES-000001").await.contains("AB12CDE"));

    // Nothing is left to finish, and coming back later makes nothing more.
    assert_eq!(
        s.finish_payments(Duration::minutes(11)).await,
        Finished::default()
    );
    let r = c.get(s.url(&back)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/dashboard");
    assert_eq!(s.count("cases").await, 1);
}

#[tokio::test]
async fn a_payer_coming_back_while_the_server_finishes_the_payment_gets_one_case() {
    let s = TestServer::start().await;
    let c = resident_at(&s, "lizzy@mail.example", HOME_IN_ZONE).await;
    let mut returns = Vec::new();
    for registration in ["AB12 CDE", "CD34 EFG", "EF56 GHJ"] {
        let page = start_paying(&s, &c, registration).await;
        returns.push(pay(&s, &c, &page).await);
    }
    let (finished, came_back) = tokio::join!(
        s.finish_payments(Duration::minutes(11)),
        futures_util::future::join_all(
            returns
                .iter()
                .map(|back| async { c.get(s.url(back)).send().await.unwrap() })
        ),
    );
    for r in came_back {
        assert!(r.status().is_redirection(), "{}", r.status());
    }
    assert!(finished.made <= 3 && finished.refused == 0, "{finished:?}");
    assert_eq!(s.count("cases").await, 3, "one case per payment");
    assert!(payments(&s)
        .await
        .iter()
        .all(|(status, case)| status == "success" && case.is_some()));
    let settled = told(&s).await;
    assert_eq!(
        settled
            .iter()
            .filter(|t| *t == "townhall.payment.settled.v1")
            .count(),
        3
    );
}

#[tokio::test]
async fn a_request_refused_after_it_was_paid_for_is_refunded_and_says_why() {
    let s = TestServer::start().await;
    let c = resident_at(&s, "lizzy@mail.example", HOME_IN_ZONE).await;
    // Two applications for one vehicle, both started before either is made.
    let first = start_paying(&s, &c, "AB12 CDE").await;
    let second = start_paying(&s, &c, "ab12cde").await;
    let first = pay(&s, &c, &first).await;
    let second = pay(&s, &c, &second).await;
    let r = c.get(s.url(&first)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/requests/TES-000001?new=1");

    let r = c.get(s.url(&second)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Your request could not be sent"), "{page}");
    assert!(page.contains("This vehicle already has a permit or an application in progress"));
    assert!(page.contains("Your payment will be refunded"));
    let settled = payments(&s).await;
    assert_eq!(settled[1], ("refund-due".to_owned(), None));
    // Coming back again says so again, and tells nobody twice.
    let again = s.text(&c, &second).await;
    assert!(again.contains("Your payment will be refunded"));
    assert_eq!(
        s.finish_payments(Duration::minutes(11)).await,
        Finished::default()
    );
    assert_eq!(
        told(&s).await,
        [
            "townhall.case.submitted.v1",
            "townhall.payment.settled.v1",
            "townhall.payment.refund_due.v1"
        ]
    );
    assert_eq!(s.count("cases").await, 1);
}

#[tokio::test]
async fn a_payment_left_unpaid_expires_and_cannot_be_paid_afterwards() {
    let s = TestServer::start().await;
    let c = resident_at(&s, "lizzy@mail.example", HOME_IN_ZONE).await;
    let page = start_paying(&s, &c, "AB12 CDE").await;
    // She keeps the payment page open, and pays two hours later.
    let held = townhall_testkit::csrf_of(&s.text(&c, &page).await);
    // Within the 90 minutes a payer has, an unpaid payment is left alone.
    assert_eq!(
        s.finish_payments(Duration::minutes(30)).await,
        Finished::default()
    );
    assert_eq!(payments(&s).await[0].0, "created");

    let two_hours_ago = townhall_types::Timestamp::now()
        .plus(Duration::hours(-2))
        .to_db();
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_store::sql::query("UPDATE payments SET created_at = $1, updated_at = $1")
        .bind(two_hours_ago)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        s.finish_payments(Duration::ZERO).await,
        Finished {
            ended: 1,
            ..Finished::default()
        }
    );
    assert_eq!(payments(&s).await[0], ("failed".to_owned(), None));

    // Paying now takes nothing and makes nothing.
    let r = c
        .post(s.url(&page))
        .form(&[("csrf", held.as_str()), ("decision", "pay")])
        .send()
        .await
        .unwrap();
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.ends_with("/return"), "{back}");
    let answer = s.text(&c, &back).await;
    assert!(answer.contains("Your payment was not taken"), "{answer}");
    assert_eq!(payments(&s).await[0].0, "failed");
    assert_eq!(s.count("cases").await, 0);
    assert!(told(&s).await.is_empty());
    // Opening the payment page again sends her to the same answer.
    let r = c.get(s.url(&page)).send().await.unwrap();
    assert_eq!(r.headers()["location"].to_str().unwrap(), back);
}
