//! Linking on arrival in a running council: a line-of-business system sends
//! and withdraws its records through `POST /api/v1/index/records` and
//! `DELETE /api/v1/index/records/{system}/{record_id}` with a key for that
//! system alone, and gets each record's person back; a resident who signs
//! up is linked to the council's records of them within that request.

use reqwest::StatusCode;
use serde_json::{json, Value};
use townhall_testkit::TestServer;

use crate::accounts::link_for;
use crate::resident_index::{import_and_link, person_of};

async fn key(s: &TestServer, scopes: &str) -> String {
    s.api_key("Revenues system", scopes, None).await
}

/// The scope of a key that sends `system`'s records.
fn writer(system: &str) -> String {
    format!("index:write:{system}")
}

async fn send(s: &TestServer, key: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut r = s
        .client()
        .post(s.url("/api/v1/index/records"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(k) = key {
        r = r.bearer_auth(k);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A council whose index is imported and linked, to which the council tax
/// system has sent `record` (accepted); the directory its exports are in.
async fn council_tax_sends(record: Value) -> (TestServer, tempfile::TempDir) {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    import_and_link(&s, dir.path()).await;
    let tax = key(&s, &writer("council_tax")).await;
    let (status, body) = send(&s, Some(&tax), &record.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (s, dir)
}

async fn withdraw(s: &TestServer, key: &str, system: &str, id: &str) -> StatusCode {
    s.client()
        .delete(s.url(&format!("/api/v1/index/records/{system}/{id}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
}

/// The fields of record `id` of `system` (council tax or housing) as the
/// index takes them, from the system's export.
fn record_of(dir: &std::path::Path, system: &str, id: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(format!("{system}.csv"))).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let line = lines.find(|l| l.starts_with(&format!("{id},"))).unwrap();
    let fields: serde_json::Map<String, Value> = header
        .iter()
        .zip(line.split(','))
        .map(|(h, v)| {
            let field = match *h {
                "tenant_ref" => "record_id",
                "forename" => "first_name",
                "last_name" => "surname",
                "dob" => "date_of_birth",
                "post_code" => "postcode",
                "address_line1" | "address_1" => "address",
                other => other,
            };
            (field.to_owned(), Value::String(v.to_owned()))
        })
        .collect();
    Value::Object(fields)
}

#[tokio::test]
async fn a_system_sends_and_withdraws_records_and_gets_each_ones_person_back() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    import_and_link(&s, dir.path()).await;
    let tax = key(&s, &writer("council_tax")).await;
    let services = key(&s, "open311:write consent:read").await;
    let housing = key(&s, &writer("housing")).await;

    // The same person, entered again in council tax under another account.
    let mut again = record_of(dir.path(), "council_tax", "CT00000");
    again["record_id"] = json!("CT90000");
    let audited = s.count("audit_log").await;
    let (status, body) = send(&s, Some(&tax), &again.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let person = person_of(&s, "council_tax", "CT00000").await.unwrap();
    assert_eq!(body["person_id"], json!(person), "{body}");
    assert_eq!(body["system"], "council_tax");
    assert_eq!(body["record_id"], "CT90000");
    assert!(body["probability"].as_f64().unwrap() > 0.95, "{body}");
    assert_eq!(
        person_of(&s, "council_tax", "CT90000").await.as_deref(),
        Some(person.as_str()),
        "kept in the store"
    );
    assert_eq!(s.count("audit_log").await, audited + 1, "audited");

    // Sent again, unchanged, it is the same person still.
    let (status, body) = send(&s, Some(&tax), &again.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["person_id"], json!(person), "{body}");

    // A record in a pair waiting for a reviewer, sent again unchanged, is
    // put to the reviewer again, not refused, and the pair is not doubled.
    let (system, record): (String, String) = townhall_store::sql::query_as(
        "SELECT left_system, left_record FROM index_reviews WHERE decision IS NULL \
         ORDER BY left_system, left_record LIMIT 1",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    let its_key = key(&s, &writer(&system)).await;
    let pending = s.count("index_reviews").await;
    let waiting = record_of(dir.path(), &system, &record);
    for _ in 0..2 {
        let (status, body) = send(&s, Some(&its_key), &waiting.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["review"].as_u64().unwrap() >= 1, "{body}");
    }
    assert_eq!(s.count("index_reviews").await, pending);

    // Someone new is a person of their own; a batch answers for each.
    let (status, body) = send(
        &s,
        Some(&tax),
        &json!([
            {"record_id": "CT90001", "first_name": "Zebedee", "surname": "Quartermaine",
             "date_of_birth": "1970-01-02", "postcode": "RV9 9ZZ"},
            {"record_id": "CT90002", "first_name": "Philippa", "surname": "Oyelaran",
             "date_of_birth": "02/03/1985", "nhs_number": "943 476 5919"}
        ])
        .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_ne!(records[0]["person_id"], json!(person));
    assert_ne!(records[0]["person_id"], records[1]["person_id"]);
    assert_eq!(records[0]["probability"], json!(1.0), "alone");

    // Mistakes are refused with what is wrong, and nothing is written.
    let before = s.count("index_records").await;
    for (key, body, status, says) in [
        (
            None,
            "{}".to_owned(),
            StatusCode::UNAUTHORIZED,
            "Authorization: Bearer",
        ),
        (
            Some(services.as_str()),
            again.to_string(),
            StatusCode::FORBIDDEN,
            "sending records needs index:write:SYSTEM",
        ),
        (
            Some("th_not-a-key"),
            again.to_string(),
            StatusCode::UNAUTHORIZED,
            "not valid",
        ),
        (
            Some(tax.as_str()),
            "{not json".to_owned(),
            StatusCode::BAD_REQUEST,
            "not JSON",
        ),
        (
            Some(tax.as_str()),
            "\"a string\"".to_owned(),
            StatusCode::BAD_REQUEST,
            "an array of objects",
        ),
        (
            Some(tax.as_str()),
            "[]".to_owned(),
            StatusCode::BAD_REQUEST,
            "between 1 and 1000",
        ),
        (
            Some(tax.as_str()),
            json!({"first_name": "Ann"}).to_string(),
            StatusCode::BAD_REQUEST,
            "record_id: give",
        ),
        (
            Some(tax.as_str()),
            json!({"record_id": "X1", "shoe_size": 9}).to_string(),
            StatusCode::BAD_REQUEST,
            "shoe_size: not a field",
        ),
        (
            Some(tax.as_str()),
            json!({"record_id": "X1", "surname": ["Lee"]}).to_string(),
            StatusCode::BAD_REQUEST,
            "surname: give text",
        ),
        (
            Some(tax.as_str()),
            json!([{"record_id": "X1"}, {"record_id": "X1"}]).to_string(),
            StatusCode::BAD_REQUEST,
            "[1].record_id: 'X1' is sent twice",
        ),
    ] {
        let (got, answer) = send(&s, key, &body).await;
        assert_eq!(got, status, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{says} in {answer}");
    }
    assert_eq!(s.count("index_records").await, before);

    // A key for housing writes housing's records, never council tax's.
    assert_eq!(
        withdraw(&s, &housing, "council_tax", "CT90000").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        withdraw(&s, &tax, "council_tax", "CT90000").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(person_of(&s, "council_tax", "CT90000").await, None);
    assert_eq!(
        person_of(&s, "council_tax", "CT00000").await.as_deref(),
        Some(person.as_str()),
        "the others keep their person"
    );
    assert_eq!(
        withdraw(&s, &tax, "council_tax", "CT90000").await,
        StatusCode::NOT_FOUND
    );

    // A file imported while the server runs is in its index at once.
    let late = dir.path().join("late.csv");
    std::fs::write(
        &late,
        "record_id,first_name,surname,date_of_birth\nH99999,Ann,Lee,1990-01-01\n",
    )
    .unwrap();
    townhall_index::import::import_file(
        &s.db.store,
        s.council.id,
        &s.index_policy(),
        "housing",
        &late,
        &townhall_index::files::Mapping::default(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        withdraw(&s, &housing, "housing", "H99999").await,
        StatusCode::NO_CONTENT
    );

    // An index key opens nothing else.
    let r = s
        .client()
        .post(s.url("/api/v1/consent/decisions"))
        .bearer_auth(&tax)
        .json(&json!({"resident": person, "recipient": "x", "purpose": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_resident_who_signs_up_is_linked_to_their_council_tax_record_in_that_request() {
    // Council tax holds Rosalind with her email address, as many systems do.
    let (s, _dir, c, account) = rosalind_signs_up().await;
    let payer = person_of(&s, "council_tax", "CT77777").await;
    assert!(payer.is_some());
    assert_eq!(
        person_of(&s, townhall_index::ACCOUNTS, &account).await,
        None,
        "not linked before the email address is confirmed"
    );
    let link = link_for(&s, "rosalind.featherstone@mail.example").await;
    let r = crate::accounts::choose_password(&c, &link, "correct horse battery").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        person_of(&s, townhall_index::ACCOUNTS, &account).await,
        payer,
        "the account is the council tax payer"
    );
    let (probability,): (f64,) = townhall_store::sql::query_as(
        "SELECT probability FROM index_records WHERE system = $1 AND record_id = $2",
    )
    .bind(townhall_index::ACCOUNTS)
    .bind(&account)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert!(
        (0.95..=1.0).contains(&probability),
        "linked at the council's threshold or above: {probability}"
    );
    // Someone else who signs up is nobody the council knows yet.
    let other = s.client();
    crate::accounts::sign_up(&s, &other, "barnaby@mail.example", "correct horse battery").await;
    let (theirs,): (String,) = townhall_store::sql::query_as(
        "SELECT user_id FROM users WHERE email = 'barnaby@mail.example'",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    let person = person_of(&s, townhall_index::ACCOUNTS, &theirs)
        .await
        .unwrap();
    assert_ne!(Some(person), person_of(&s, "council_tax", "CT77777").await);
}

#[tokio::test]
async fn someone_who_types_a_residents_name_and_birthday_is_not_linked_to_their_records() {
    // Council tax holds Rosalind with her email address. Someone else signs
    // up with her name and date of birth and a mailbox of their own.
    let (s, _dir, c, impostor) = signs_up_as_rosalind("r.featherstone@elsewhere.example").await;
    let link = link_for(&s, "r.featherstone@elsewhere.example").await;
    let r = crate::accounts::choose_password(&c, &link, "correct horse battery").await;
    assert_eq!(r.status(), StatusCode::OK);
    let payer = person_of(&s, "council_tax", "CT77777").await;
    let theirs = person_of(&s, townhall_index::ACCOUNTS, &impostor).await;
    assert!(theirs.is_some(), "the account is in the index");
    assert_ne!(
        theirs, payer,
        "typed details alone never join an account to a council record"
    );
    // A reviewer decides instead.
    let (pending,): (i64,) = townhall_store::sql::query_as(
        "SELECT COUNT(*) FROM index_reviews WHERE decision IS NULL AND \
         ((left_system = 'accounts' AND left_record = $1 AND right_record = 'CT77777') OR \
          (right_system = 'accounts' AND right_record = $1 AND left_record = 'CT77777'))",
    )
    .bind(&impostor)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(pending, 1, "the pair is put to a reviewer");
    // Details changed are judged afresh: the pair for the old ones goes.
    crate::accounts::sign_in(
        &s,
        &c,
        "r.featherstone@elsewhere.example",
        "correct horse battery",
    )
    .await;
    let r = s
        .submit(
            &c,
            "/account/details",
            "/account/details",
            &[("given_name", "Ros"), ("family_name", "Lind")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (open,): (i64,) = townhall_store::sql::query_as(
        "SELECT COUNT(*) FROM index_reviews WHERE decision IS NULL AND \
         (left_record = $1 OR right_record = $1)",
    )
    .bind(&impostor)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(open, 0, "nobody is like 'Ros Lind' with no birthday");
    // Typed back, the pair is put to a reviewer once more.
    let r = s
        .submit(
            &c,
            "/account/details",
            "/account/details",
            &[
                ("given_name", "Rosalind"),
                ("family_name", "Featherstone"),
                ("date_of_birth-day", "17"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "1961"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The reviewer is told whose words the account's details are.
    let (review,): (String,) = townhall_store::sql::query_as(
        "SELECT review_id FROM index_reviews WHERE decision IS NULL AND right_record = 'CT77777'",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    s.add_staff(
        "ravi@testshire.example",
        "Ravi Shah",
        townhall_identity::Role::Caseworker,
        Some("Customer Services"),
        crate::casework::PASSWORD,
    )
    .await;
    let ravi = crate::casework::staff_client(&s, "ravi@testshire.example").await;
    let queue = s.text(&ravi, "/staff/index/reviews").await;
    assert!(
        queue.contains("Details typed by an account holder"),
        "{queue}"
    );
    let page = s
        .text(&ravi, &format!("/staff/index/reviews/{review}"))
        .await;
    assert!(page.contains("holds what its holder typed"), "{page}");
    assert!(
        page.contains("Its checked email is not the other record's"),
        "{page}"
    );
}

#[tokio::test]
async fn an_address_the_council_holds_for_two_people_vouches_for_neither() {
    // Council tax holds Dan, and his daughter Lily with his address.
    let (s, _dir) = council_tax_sends(
        json!({"record_id": "CT50001", "first_name": "Dan", "surname": "Ashworth",
               "date_of_birth": "1980-03-02", "postcode": "RV4 2DJ",
               "email": "dan.ashworth@mail.example"}),
    )
    .await;
    let tax = key(&s, &writer("council_tax")).await;
    let lily = json!({"record_id": "CT50002", "first_name": "Lily", "surname": "Ashworth",
                      "date_of_birth": "2010-05-05", "postcode": "RV4 2DJ",
                      "email": "dan.ashworth@mail.example"});
    let (status, body) = send(&s, Some(&tax), &lily.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Dan signs up as Lily, with his own, confirmed, address.
    let c = s.client();
    let r = s
        .submit(
            &c,
            "/sign-up",
            "/sign-up",
            &[
                ("given_name", "Lily"),
                ("family_name", "Ashworth"),
                ("email", "dan.ashworth@mail.example"),
                ("date_of_birth-day", "5"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "2010"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let link = link_for(&s, "dan.ashworth@mail.example").await;
    let r = crate::accounts::choose_password(&c, &link, "correct horse battery").await;
    assert_eq!(r.status(), StatusCode::OK);
    let (account,): (String,) =
        townhall_store::sql::query_as("SELECT user_id FROM users WHERE email = $1")
            .bind("dan.ashworth@mail.example")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_ne!(
        person_of(&s, townhall_index::ACCOUNTS, &account).await,
        person_of(&s, "council_tax", "CT50002").await,
        "an address held for two people proves neither"
    );
}

/// Council tax holds Rosalind with her email address, as many systems do;
/// she signs up (not yet confirmed). The server, its directory, her browser
/// and her account's id.
async fn rosalind_signs_up() -> (TestServer, tempfile::TempDir, reqwest::Client, String) {
    signs_up_as_rosalind("Rosalind.Featherstone@mail.example").await
}

/// Council tax holds Rosalind with her email address; someone signs up
/// with her name and date of birth and `email` (not yet confirmed).
async fn signs_up_as_rosalind(
    email: &str,
) -> (TestServer, tempfile::TempDir, reqwest::Client, String) {
    let (s, dir) = council_tax_sends(
        json!({"record_id": "CT77777", "first_name": "Rosalind", "surname": "Featherstone",
               "date_of_birth": "1961-05-17", "postcode": "RV4 2DJ",
               "email": "rosalind.featherstone@mail.example"}),
    )
    .await;
    let c = s.client();
    let r = s
        .submit(
            &c,
            "/sign-up",
            "/sign-up",
            &[
                ("given_name", "Rosalind"),
                ("family_name", "Featherstone"),
                ("email", email),
                ("date_of_birth-day", "17"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "1961"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (account,): (String,) =
        townhall_store::sql::query_as("SELECT user_id FROM users WHERE email = $1")
            .bind(email.to_lowercase())
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    (s, dir, c, account)
}

#[tokio::test]
async fn a_reset_that_confirms_an_address_links_the_account_too() {
    let (s, _dir, c, account) = rosalind_signs_up().await;
    // The confirmation link is lost; a reset link confirms her address.
    s.submit(
        &c,
        "/forgot-password",
        "/forgot-password",
        &[("email", "rosalind.featherstone@mail.example")],
    )
    .await;
    s.deliver().await;
    let link = s
        .mailbox(20)
        .await
        .into_iter()
        .find(|m| m.subject.contains("Reset"))
        .and_then(|m| {
            m.body
                .split_whitespace()
                .find(|w| w.contains("/reset-password?token="))
                .map(str::to_owned)
        })
        .unwrap();
    let page = c.get(&link).send().await.unwrap().text().await.unwrap();
    let r = c
        .post(s.url("/reset-password"))
        .form(&[
            ("token", link.split("token=").nth(1).unwrap()),
            ("password", "a new password of hers"),
            ("csrf", &townhall_testkit::csrf_of(&page)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        person_of(&s, townhall_index::ACCOUNTS, &account).await,
        person_of(&s, "council_tax", "CT77777").await,
        "the account is the council tax payer"
    );
}

#[tokio::test]
async fn further_address_lines_are_kept_after_the_first_one_line_each() {
    let (s, _dir) = council_tax_sends(
        json!({"record_id": "CT88888", "first_name": "Idris", "surname": "Okafor",
               "date_of_birth": "1979-02-11", "postcode": "RV4 2DJ",
               "address": "Flat 3, Oak House", "address_2": "12 Mill Street",
               "address_3": null}),
    )
    .await;
    let (address,): (String,) = townhall_store::sql::query_as(
        "SELECT address FROM index_records WHERE system = 'council_tax' AND record_id = 'CT88888'",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(address, "Flat 3, Oak House\n12 Mill Street");
}

#[tokio::test]
async fn a_date_of_birth_at_sign_up_must_be_real_and_past() {
    let s = TestServer::start().await;
    let tomorrow = time::OffsetDateTime::now_utc().date().next_day().unwrap();
    let tomorrow = [
        tomorrow.day().to_string(),
        u8::from(tomorrow.month()).to_string(),
        tomorrow.year().to_string(),
    ];
    let cases: [([String; 3], &str); 3] = [
        (
            ["31", "2", "1990"].map(String::from),
            "Date of birth must be a real date",
        ),
        (tomorrow, "Date of birth must be in the past"),
        (
            ["", "3", ""].map(String::from),
            "Date of birth must include a day and year",
        ),
    ];
    for ([day, month, year], says) in cases {
        let r = s
            .submit(
                &s.client(),
                "/sign-up",
                "/sign-up",
                &[
                    ("given_name", "Ann"),
                    ("family_name", "Lee"),
                    ("email", "ann@mail.example"),
                    ("date_of_birth-day", &day),
                    ("date_of_birth-month", &month),
                    ("date_of_birth-year", &year),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains(says), "{says}");
        assert!(page.contains("value=\"Ann\""), "answers kept");
        // The error summary's link lands in the day box, as GOV.UK's date
        // input pattern asks.
        assert!(page.contains("href=\"#date_of_birth\""), "{page}");
        assert!(
            page.contains("id=\"date_of_birth\" name=\"date_of_birth-day\""),
            "{page}"
        );
    }
    assert_eq!(s.count("users").await, 0, "nothing made");
}
