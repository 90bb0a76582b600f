//! The single resident index end to end: two systems' CSV exports imported
//! and linked, a pair in doubt resolved by a reviewer in the staff pages and
//! kept by the next run, and one person seen whole only by a team the index
//! policy allows, for a purpose consent allows, with every opening audited.

use std::io::Write;

use reqwest::StatusCode;
use townhall_identity::Role;
use townhall_index::records::{self, NewRecord};
use townhall_index::{files, import, run};
use townhall_testkit::TestServer;

use crate::casework::{staff_client, PASSWORD};

const GIVEN: &[&str] = &[
    "Oliver",
    "Amelia",
    "George",
    "Isla",
    "Harry",
    "Ava",
    "Noah",
    "Mia",
    "Jack",
    "Ivy",
    "Leo",
    "Grace",
    "Arthur",
    "Freya",
    "Muhammad",
    "Lily",
    "Oscar",
    "Ella",
    "Charlie",
    "Rosie",
    "William",
    "Elizabeth",
    "Thomas",
    "Margaret",
    "James",
    "Sophie",
    "Henry",
    "Chloe",
];
const FAMILY: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison", "Lewis", "Baker",
];
const STREETS: &[&str] = &[
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Park Avenue",
    "Victoria Road",
    "Green Lane",
    "Manor Way",
    "The Crescent",
    "Queens Road",
];

/// A small, fixed pseudo-random sequence, so the data is the same every run.
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Council Tax holds 400 people; housing 160 of them, with the usual mistakes.
pub(crate) fn exports(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut r = Sequence(7);
    let ct_path = dir.join("council_tax.csv");
    let housing_path = dir.join("housing.csv");
    let mut ct = std::fs::File::create(&ct_path).unwrap();
    let mut housing = std::fs::File::create(&housing_path).unwrap();
    writeln!(
        ct,
        "record_id,first_name,surname,date_of_birth,postcode,address_line1"
    )
    .unwrap();
    writeln!(
        housing,
        "tenant_ref,forename,last_name,dob,post_code,address_1,phone"
    )
    .unwrap();
    for n in 0..400 {
        let first = GIVEN[r.below(GIVEN.len())];
        let last = FAMILY[r.below(FAMILY.len())];
        let (y, m, d) = (1940 + r.below(60), 1 + r.below(12), 1 + r.below(28));
        let postcode = format!(
            "RV{} {}{}{}",
            1 + r.below(9),
            1 + r.below(9),
            ['A', 'B', 'D', 'E'][r.below(4)],
            ['F', 'G', 'H', 'J'][r.below(4)]
        );
        let address = format!("{} {}", 1 + r.below(80), STREETS[r.below(STREETS.len())]);
        writeln!(
            ct,
            "CT{n:05},{first},{last},{y}-{m:02}-{d:02},{postcode},{address}"
        )
        .unwrap();
        if n % 5 < 2 {
            let first = match (first, r.below(6)) {
                ("William", 0) => "Bill",
                ("Elizabeth", 0) => "Liz",
                (f, _) => f,
            };
            let dob = if r.below(5) == 0 {
                String::new()
            } else {
                format!("{d:02}/{m:02}/{y}")
            };
            // One tenant in sixteen has a mistyped surname and no date of birth
            // on file, and one in sixteen a new surname: the same first name
            // at the same address, with little else to go on.
            let (last, dob) = match n % 40 {
                1 => (format!("{}{}", &last[..1], &last[2..]), String::new()),
                21 => (FAMILY[(n / 40) % FAMILY.len()].to_owned(), dob),
                // A date written in words, which is read as missing and said.
                5 if n == 5 => (last.to_owned(), "31st March".to_owned()),
                _ => (last.to_owned(), dob),
            };
            writeln!(
                housing,
                "H{n:05},{first},{last},{dob},{postcode},{address},0770090{n:04}"
            )
            .unwrap();
        }
    }
    (ct_path, housing_path)
}

pub(crate) async fn import_and_link(s: &TestServer, dir: &std::path::Path) -> run::RunSummary {
    let (ct, housing) = exports(dir);
    let policy = s.index_policy();
    for (system, path) in [("council_tax", &ct), ("housing", &housing)] {
        import::import_file(
            &s.db.store,
            s.council.id,
            &policy,
            system,
            path,
            &files::Mapping::default(),
            false,
        )
        .await
        .unwrap();
    }
    run::run(&s.db.store, s.council.id, &policy, &())
        .await
        .unwrap()
}

/// The review page's path for the first pair in the queue.
fn first_pair(queue: &str) -> String {
    let at = queue
        .find("/staff/index/reviews/")
        .expect("a pair to review");
    let rest = &queue[at..];
    rest[..rest.find('"').unwrap()].to_owned()
}

pub(crate) async fn person_of(s: &TestServer, system: &str, record: &str) -> Option<String> {
    let all = records::all(&s.db.store, s.council.id).await.unwrap();
    all.into_iter()
        .find(|r| r.key.system == system && r.key.record_id == record)
        .and_then(|r| r.person_id.map(|p| p.to_string()))
}

/// A server with a reviewer (Chris, Customer Services) and a member of
/// Early Help (Kate), who has the early-help view.
async fn with_reviewer_and_early_help() -> TestServer {
    let s = TestServer::start().await;
    for (email, name, team) in [
        (
            "chris@testshire.example",
            "Chris Young",
            "Customer Services",
        ),
        ("kate@testshire.example", "Kate Morgan", "Early Help"),
    ] {
        s.add_staff(email, name, Role::Caseworker, Some(team), PASSWORD)
            .await;
    }
    s
}

#[tokio::test]
async fn two_systems_are_linked_and_a_reviewer_resolves_a_pair_that_later_runs_keep() {
    let s = with_reviewer_and_early_help().await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        Role::Caseworker,
        Some("Highways"),
        PASSWORD,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let first = import_and_link(&s, dir.path()).await;
    assert_eq!(first.records, 560);
    assert!(first.review > 0, "some pairs are in doubt: {first:?}");
    // Clear matches are linked: the housing record of Council Tax's person 0.
    assert_eq!(
        person_of(&s, "council_tax", "CT00000").await,
        person_of(&s, "housing", "H00000").await
    );
    assert_ne!(
        person_of(&s, "council_tax", "CT00000").await,
        person_of(&s, "council_tax", "CT00002").await
    );

    // The reviewer opens the queue and a pair: both records side by side, the
    // explanation summing to the score, the opening audited.
    let chris = staff_client(&s, "chris@testshire.example").await;
    let home = s.text(&chris, "/staff/index").await;
    assert!(
        home.contains("Council Tax") && home.contains("Housing"),
        "{home}"
    );
    // The import's report: how many dates could not be read and where the
    // first is, but not the value (it is a person's).
    let housing = std::fs::read_to_string(dir.path().join("housing.csv")).unwrap();
    let dates = housing
        .lines()
        .skip(1)
        .filter(|l| !l.split(',').nth(3).unwrap().is_empty())
        .count();
    assert!(
        home.contains(&format!("dob: 1 of {dates} (the first on line 4)")),
        "{home}"
    );
    assert!(!home.contains("31st March"), "{home}");
    let queue = s.text(&chris, "/staff/index/reviews").await;
    assert!(
        queue.contains(&format!("{} pair", first.review.min(100))),
        "{queue}"
    );
    let pair = first_pair(&queue);
    let audited = s.count("audit_log").await;
    let page = s.text(&chris, &pair).await;
    assert!(page.contains("Are these the same person?"));
    assert!(page.contains("The score, field by field"));
    assert!(
        page.contains("Council Tax CT") || page.contains("Housing H"),
        "{page}"
    );
    assert_eq!(
        s.count("audit_log").await,
        audited + 1,
        "opening the pair is audited"
    );

    // A decision must be chosen; then it is kept.
    let r = s.submit(&chris, &pair, &pair, &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Select whether these are the same person"));
    let r = s
        .submit(&chris, &pair, &pair, &[("decision", "same")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/index/reviews?done=same");
    let decided = s.text(&chris, &pair).await;
    assert!(decided.contains("by Chris Young"), "{decided}");
    let again = s
        .submit(&chris, &pair, &pair, &[("decision", "different")])
        .await;
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "a decision is not overwritten"
    );

    // The pair's records are one person at once, and after the next run.
    let (left, right) = decided_pair(&s).await;
    assert_eq!(
        person_of(&s, &left.0, &left.1).await,
        person_of(&s, &right.0, &right.1).await
    );
    let second = run::run(&s.db.store, s.council.id, &s.index_policy(), &())
        .await
        .unwrap();
    assert_eq!(second.decisions, 1);
    // The decided pair is not put to a reviewer again (the queue may change
    // otherwise: the model learns from the confirmed pair).
    let (pair_rows,): (i64,) = townhall_store::sql::query_as(
        "SELECT COUNT(*) FROM index_reviews WHERE council_id = $1 AND left_system = $2 \
         AND left_record = $3 AND right_system = $4 AND right_record = $5",
    )
    .bind(s.council.id.to_string())
    .bind(&left.0)
    .bind(&left.1)
    .bind(&right.0)
    .bind(&right.1)
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(pair_rows, 1, "the decided pair does not come back");
    assert_eq!(
        townhall_index::review::pending_count(&s.db.store, s.council.id)
            .await
            .unwrap(),
        second.review as i64
    );
    assert_eq!(
        person_of(&s, &left.0, &left.1).await,
        person_of(&s, &right.0, &right.1).await
    );
    assert_eq!(
        person_of(&s, "council_tax", "CT00000").await,
        person_of(&s, "housing", "H00000").await,
        "person ids last from run to run"
    );

    // Only reviewers review.
    let kate = staff_client(&s, "kate@testshire.example").await;
    let r = kate
        .get(s.url("/staff/index/reviews"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Early Help sees the person whole, for its purpose; the view is audited.
    // The search is posted: a name and a birthday stay out of addresses.
    let all = records::all(&s.db.store, s.council.id).await.unwrap();
    let ct = all.iter().find(|r| r.key.record_id == "CT00000").unwrap();
    let r = s
        .submit(
            &kate,
            "/staff/index",
            "/staff/people",
            &[
                ("surname", &ct.person.surname),
                ("date_of_birth", &ct.person.date_of_birth),
                ("purpose", "early-help-families"),
            ],
        )
        .await;
    let person_page = match r.status() {
        StatusCode::SEE_OTHER => r.headers()["location"].to_str().unwrap().to_owned(),
        other => panic!(
            "one person should be found, got {other}: {}",
            r.text().await.unwrap()
        ),
    };
    let audited = s.count("audit_log").await;
    let view = s.text(&kate, &person_page).await;
    assert!(view.contains(&format!("{} {}", ct.person.first_name, ct.person.surname)));
    assert!(
        view.contains("Council Tax") && view.contains("Housing"),
        "{view}"
    );
    assert!(
        view.contains("shared by default unless the resident says no"),
        "{view}"
    );
    assert!(
        !view.contains("07700"),
        "the purpose does not cover phone numbers"
    );
    assert_eq!(
        s.count("audit_log").await,
        audited + 1,
        "the view is audited"
    );

    // Not for a purpose the team does not have, and not for other teams.
    let r = kate
        .get(s.url(&person_page.replace("early-help-families", "housing-support")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("only these teams may see people whole: Housing"));
    let tom = staff_client(&s, "tom@testshire.example").await;
    let r = tom.get(s.url(&person_page)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Housing's purpose does not cover which services hold someone: the
    // same person is shown without systems or record ids, each distinct
    // set of values once.
    s.add_staff(
        "ruth@testshire.example",
        "Ruth Mensah",
        Role::Caseworker,
        Some("Housing"),
        PASSWORD,
    )
    .await;
    let ruth = staff_client(&s, "ruth@testshire.example").await;
    let for_housing = person_page.replace("early-help-families", "housing-support");
    // Housing support is opt-in: someone known only from records has not
    // said yes, so the view is refused, and the refusal is audited.
    let audited = s.count("audit_log").await;
    let r = ruth.get(s.url(&for_housing)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("the resident has not given permission"));
    assert_eq!(s.count("audit_log").await, audited + 1);
    // Once the person's own account, which said yes, is joined to them, Housing
    // sees them: without systems or record ids, each distinct set of
    // values once, since its purpose does not cover which services hold them.
    let mut tx = s.db.store.begin().await.unwrap();
    let email = townhall_types::EmailAddress::parse("ct0@mail.example").unwrap();
    let account = townhall_identity::accounts::create(
        &mut tx,
        s.council.id,
        &townhall_identity::accounts::NewAccount {
            kind: townhall_identity::UserKind::Resident,
            email: &email,
            display_name: &ct.person.first_name,
            password_hash: None,
            verified: true,
        },
    )
    .await
    .unwrap();
    townhall_consent::record(
        &mut tx,
        s.council.id,
        account.id,
        "housing-support",
        "housing-support",
        townhall_consent::Choice::Granted,
        None,
        townhall_consent::Method::Web,
        &account.id.to_string(),
    )
    .await
    .unwrap();
    let own = NewRecord {
        record_id: account.id.to_string(),
        person: ct.person.clone(),
        account: Some(account.id),
    };
    records::import(&mut tx, s.council.id, "accounts", &[], &[own])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    run::run(&s.db.store, s.council.id, &s.index_policy(), &())
        .await
        .unwrap();
    // What an account holder typed is not proof: a reviewer joins them.
    let person = person_of(&s, "council_tax", "CT00000").await.unwrap();
    assert_ne!(
        person_of(&s, "accounts", &account.id.to_string()).await,
        Some(person.clone())
    );
    let (review,): (String,) = townhall_store::sql::query_as(
        "SELECT review_id FROM index_reviews WHERE decision IS NULL AND \
         left_system = 'accounts' AND left_record = $1 AND right_record = 'CT00000'",
    )
    .bind(account.id.to_string())
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    townhall_index::review::decide(
        &s.db.store,
        s.council.id,
        review.parse().unwrap(),
        true,
        &townhall_index::review::Reviewer {
            actor: townhall_audit::Actor::Staff("reviewer".into()),
            label: "A reviewer",
        },
    )
    .await
    .unwrap();
    let person = person_of(&s, "council_tax", "CT00000").await.unwrap();
    assert_eq!(
        person_of(&s, "accounts", &account.id.to_string()).await,
        Some(person.clone())
    );
    let housing = s
        .text(
            &ruth,
            &format!("/staff/people/{person}?purpose=housing-support"),
        )
        .await;
    assert!(housing.contains(&ct.person.first_name), "{housing}");
    assert!(housing.contains("which services hold them is not shown"));
    assert!(
        housing.contains("the resident gave permission"),
        "{housing}"
    );
    for hidden in ["Council Tax", "CT00000", "H00000", "Match"] {
        assert!(!housing.contains(hidden), "{hidden} shown: {housing}");
    }

    // A search with mistakes is answered with them, against each field.
    let r = s
        .submit(
            &kate,
            "/staff/index",
            "/staff/people",
            &[
                ("surname", ""),
                ("date_of_birth", "31/02/2001"),
                ("purpose", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("Enter their surname"));
    assert!(body.contains("Date of birth must be a real date"));
    assert!(body.contains("Select why you need to see them"));
}

/// The records of the pair a reviewer decided.
async fn decided_pair(s: &TestServer) -> ((String, String), (String, String)) {
    use townhall_store::sql;
    sql::query_as::<_, (String, String, String, String)>(
        "SELECT left_system, left_record, right_system, right_record FROM index_reviews \
         WHERE council_id = $1 AND decision IS NOT NULL",
    )
    .bind(s.council.id.to_string())
    .fetch_one(s.db.store.reader())
    .await
    .map(|(a, b, c, d)| ((a, b), (c, d)))
    .unwrap()
}

#[tokio::test]
async fn the_index_pages_are_accessible_in_a_browser() {
    let s = with_reviewer_and_early_help().await;
    let dir = tempfile::tempdir().unwrap();
    import_and_link(&s, dir.path()).await;
    let b = townhall_testkit::browser::Browser::start().await;
    let sign_in = |email: &'static str| {
        let b = &b;
        let s = &s;
        async move {
            b.visit(&s.url("/staff/sign-in")).await;
            b.fill("email", email).await;
            b.fill("password", PASSWORD).await;
            b.click("form[action='/staff/sign-in'] button[type=submit]")
                .await;
            b.wait_for_path("/staff").await;
        }
    };
    sign_in("chris@testshire.example").await;
    b.visit(&s.url("/staff/index")).await;
    b.check_accessibility().await;
    b.click("a[href='/staff/index/reviews']").await;
    b.wait_for_path("/staff/index/reviews").await;
    b.check_accessibility().await;
    let chris = staff_client(&s, "chris@testshire.example").await;
    let pair = first_pair(&s.text(&chris, "/staff/index/reviews").await);
    b.visit(&s.url(&pair)).await;
    b.check_accessibility().await;
    b.click("form[action^='/staff/index/reviews/'] button")
        .await;
    b.wait_for_text(
        "#decision-error",
        "Select whether these are the same person",
    )
    .await;
    b.check_accessibility().await;
    b.click("#decision-different").await;
    b.click("form[action^='/staff/index/reviews/'] button")
        .await;
    b.wait_for_text(".notification-banner", "different people")
        .await;
    b.check_accessibility().await;

    b.click("form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;
    sign_in("kate@testshire.example").await;
    b.visit(&s.url("/staff/index")).await;
    b.check_accessibility().await;
    let all = records::all(&s.db.store, s.council.id).await.unwrap();
    let ct = all.iter().find(|r| r.key.record_id == "CT00000").unwrap();
    b.fill("surname", &ct.person.surname).await;
    b.fill("date_of_birth", &ct.person.date_of_birth).await;
    b.click("#purpose").await;
    b.click("form[action='/staff/people'] button").await;
    b.wait_for_text("h1", &ct.person.first_name).await;
    b.check_accessibility().await;
    b.visit(&s.url("/staff/index")).await;
    b.click("form[action='/staff/people'] button").await;
    b.wait_for_text("#surname-error", "Enter their surname")
        .await;
    b.check_accessibility().await;
    b.close().await;
}
