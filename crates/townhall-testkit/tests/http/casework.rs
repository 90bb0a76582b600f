//! Staff working cases: queues by team, every view audited, the workflow
//! enforced, updates sent to the resident, and nobody outside the team let in.

use reqwest::StatusCode;
use townhall_identity::Role;
use townhall_testkit::{TestServer, NOT_IN_PARISH};

pub const PASSWORD: &str = "staff password 123";

pub(crate) async fn report_pothole(s: &TestServer) {
    report_pothole_by(s, "omar@mail.example").await;
}

async fn report_pothole_by(s: &TestServer, email: &str) {
    let c = s.client();
    let (lat, lon) = (NOT_IN_PARISH.0.to_string(), NOT_IN_PARISH.1.to_string());
    let answers = [
        ("location-latitude", lat.as_str()),
        ("location-longitude", lon.as_str()),
        ("surface", "road"),
        ("your-email", email),
    ];
    let r = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/submit",
            &answers,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

pub async fn staff_client(s: &TestServer, email: &str) -> reqwest::Client {
    let c = s.client();
    let r = s
        .submit(
            &c,
            "/staff/sign-in",
            "/staff/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email} signs in");
    c
}

#[tokio::test]
async fn the_team_works_its_case_and_the_resident_hears_of_it() {
    let s = TestServer::start().await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        Role::Caseworker,
        Some("Highways"),
        PASSWORD,
    )
    .await;
    report_pothole(&s).await;
    let tom = staff_client(&s, "tom@testshire.example").await;

    let home = s.text(&tom, "/staff").await;
    assert!(home.contains("1 open case for Highways"));
    assert!(home.contains("<a href=\"/staff/cases/TES-000001\">TES-000001</a>"));

    let audited = s.count("audit_log").await;
    let page = s.text(&tom, "/staff/cases/TES-000001").await;
    assert!(page.contains("omar@mail.example"));
    assert!(page.contains("rule 1: every other case"));
    assert_eq!(
        s.count("audit_log").await,
        audited + 1,
        "the view is audited"
    );

    // The workflow is enforced, with the reason.
    let r = s
        .submit(
            &tom,
            "/staff/cases/TES-000001",
            "/staff/cases/TES-000001/status",
            &[("status", "fixed")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("a case that is 'Received' cannot move to 'Fixed'"),
        "{page}"
    );
    assert_eq!(s.count("case_events").await, 1, "nothing changed");
    for (status, update) in [
        ("inspecting", ""),
        ("repair-scheduled", "Booked for Thursday morning."),
    ] {
        let r = s
            .submit(
                &tom,
                "/staff/cases/TES-000001",
                "/staff/cases/TES-000001/status",
                &[("status", status), ("update", update)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{status}");
    }
    let r = s
        .submit(
            &tom,
            "/staff/cases/TES-000001",
            "/staff/cases/TES-000001/note",
            &[("note", "Needs a 2-person crew")],
        )
        .await;
    assert_eq!(r.headers()["location"], "/staff/cases/TES-000001?done=note");
    s.submit(
        &tom,
        "/staff/cases/TES-000001",
        "/staff/cases/TES-000001/assign",
        &[("to", "me")],
    )
    .await;

    let page = s.text(&tom, "/staff/cases/TES-000001?done=assigned").await;
    assert!(page.contains("Repair scheduled"));
    assert!(page.contains("internal note<br>Needs a 2-person crew"));
    assert!(page.contains("<dt>Assigned to</dt><dd>You</dd>"));

    // The guest is sent the status message with the public update.
    let mail = s.mailbox(10).await;
    assert!(mail.iter().any(|m| m.recipient == "omar@mail.example"
        && m.body
            .contains("is booked for repair. Booked for Thursday morning.")));
    assert!(
        !mail.iter().any(|m| m.body.contains("2-person crew")),
        "internal notes stay internal"
    );
}

#[tokio::test]
async fn staff_outside_the_team_cannot_open_or_change_its_cases() {
    let s = TestServer::start().await;
    s.add_staff(
        "priya@testshire.example",
        "Priya Shah",
        Role::Caseworker,
        Some("Waste and Recycling"),
        PASSWORD,
    )
    .await;
    s.add_staff(
        "dpo@testshire.example",
        "Dana Price",
        Role::DataProtectionOfficer,
        None,
        PASSWORD,
    )
    .await;
    report_pothole(&s).await;

    let priya = staff_client(&s, "priya@testshire.example").await;
    assert!(!s.text(&priya, "/staff").await.contains("TES-000001"));
    let audited = s.count("audit_log").await;
    let r = priya
        .get(s.url("/staff/cases/TES-000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = s
        .submit(
            &priya,
            "/staff",
            "/staff/cases/TES-000001/status",
            &[("status", "inspecting")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count("audit_log").await, audited, "nothing was read");

    // The data protection officer may look (and it is audited), not change.
    let dpo = staff_client(&s, "dpo@testshire.example").await;
    assert_eq!(
        dpo.get(s.url("/staff/cases/TES-000001"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(s.count("audit_log").await, audited + 1);
    // Recorded as what it is: oversight, not work on the request.
    let (purpose,): (String,) = townhall_store::sql::query_as(
        "SELECT purpose FROM audit_log WHERE actor_label LIKE 'Dana Price%' ORDER BY seq DESC",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(purpose, "data protection oversight");
    let r = s
        .submit(
            &dpo,
            "/staff",
            "/staff/cases/TES-000001/note",
            &[("note", "Looks fine")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Guests are sent to sign in; unknown references are not found.
    let r = s
        .client()
        .get(s.url("/staff/cases/TES-000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/staff/sign-in");
    let r = dpo
        .get(s.url("/staff/cases/TES-999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_make_a_request_for_a_resident_recorded_as_assisted() {
    let s = TestServer::start().await;
    s.add_staff(
        "cs@testshire.example",
        "Ravi Patel",
        Role::CustomerServices,
        Some("Customer Services"),
        PASSWORD,
    )
    .await;
    s.add_staff(
        "dpo@testshire.example",
        "Dana Price",
        Role::DataProtectionOfficer,
        None,
        PASSWORD,
    )
    .await;
    let (lizzy, id) = lizzy(&s).await;

    let ravi = staff_client(&s, "cs@testshire.example").await;
    let record = s.text(&ravi, &format!("/staff/residents/{id}")).await;
    assert!(record.contains(&format!("/services/report-missed-bin/start?for={id}")));
    let start = format!("/services/report-missed-bin/start?for={id}");
    let form = s.text(&ravi, &start).await;
    assert!(form.contains("You are making this request for <strong>Lizzy Parker</strong>"));
    assert!(
        form.contains(&format!(
            "<option value=\"{}\" selected>",
            townhall_testkit::HOME_IN_ZONE
        )),
        "her home address is filled in"
    );

    let for_her = id.to_string();
    let typed = townhall_testkit::collected_typed();
    let answers = [
        ("for", for_her.as_str()),
        ("address-uprn", townhall_testkit::HOME_IN_ZONE),
        ("bin", "general"),
        ("collection-date-day", &typed[0]),
        ("collection-date-month", &typed[1]),
        ("collection-date-year", &typed[2]),
        ("presented", "yes"),
    ];
    let r = s
        .submit(
            &ravi,
            &start,
            "/services/report-missed-bin/submit",
            &answers,
        )
        .await;
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/services/report-missed-bin/sent/TES-000001?receipt="));
    let (channel, submitted_by, resident): (String, Option<String>, Option<String>) =
        townhall_store::sql::query_as("SELECT channel, submitted_by, resident_id FROM cases")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_eq!(channel, "assisted");
    assert!(submitted_by.is_some());
    assert_eq!(resident, Some(id.to_string()));
    let (on_behalf_of,): (Option<String>,) = townhall_store::sql::query_as(
        "SELECT on_behalf_of FROM audit_log WHERE record LIKE 'case:%' AND action = 'create'",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(on_behalf_of, Some(id.to_string()));

    // She sees it as hers; a member of staff who may not change records cannot act for her.
    assert!(s.text(&lizzy, "/dashboard").await.contains("TES-000001"));
    let dpo = staff_client(&s, "dpo@testshire.example").await;
    let r = dpo.get(s.url(&start)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_duplicate_is_merged_and_its_reporter_follows_the_first_case() {
    let s = TestServer::start().await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        Role::Caseworker,
        Some("Highways"),
        PASSWORD,
    )
    .await;
    report_pothole(&s).await;
    report_pothole_by(&s, "leila@mail.example").await;
    let tom = staff_client(&s, "tom@testshire.example").await;

    let r = s
        .submit(
            &tom,
            "/staff/cases/TES-000002",
            "/staff/cases/TES-000002/merge",
            &[("into", "TES-000009")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("there is no case TES-000009"));

    let r = s
        .submit(
            &tom,
            "/staff/cases/TES-000002",
            "/staff/cases/TES-000002/merge",
            &[("into", "tes-000001")],
        )
        .await;
    assert_eq!(
        r.headers()["location"],
        "/staff/cases/TES-000002?done=merged"
    );
    let (status, closed, duplicate_of): (String, i64, Option<String>) =
        townhall_store::sql::query_as(
            "SELECT status, closed, duplicate_of FROM cases WHERE reference = 'TES-000002'",
        )
        .fetch_one(s.db.store.reader())
        .await
        .unwrap();
    assert_eq!((status.as_str(), closed), ("duplicate", 1));
    assert!(duplicate_of.is_some());
    let (follower,): (String,) = townhall_store::sql::query_as("SELECT email FROM case_followers")
        .fetch_one(s.db.store.reader())
        .await
        .unwrap();
    assert_eq!(follower, "leila@mail.example");
    let page = s.text(&tom, "/staff/cases/TES-000001").await;
    assert!(page.contains("Also reported by another person"));
    let mail = s.mailbox(10).await;
    assert!(mail.iter().any(|m| m.recipient == "leila@mail.example"
        && m.subject.contains("you are following TES-000001")));
}

#[tokio::test]
async fn who_is_not_staff_cannot_tell_which_references_exist() {
    let s = TestServer::start().await;
    let c = s.client();
    let (lat, lon) = (NOT_IN_PARISH.0.to_string(), NOT_IN_PARISH.1.to_string());
    let r = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/submit",
            &[
                ("location-latitude", lat.as_str()),
                ("location-longitude", lon.as_str()),
                ("surface", "road"),
            ],
        )
        .await;
    let sent = r.headers()["location"].to_str().unwrap().to_owned();
    let (path, receipt) = sent.split_once("?receipt=").unwrap();
    let reference = path.rsplit('/').next().unwrap().to_owned();
    assert!(reference.starts_with("TES-"), "{sent}");
    // The confirmation page shows a real reference of the service, to whoever
    // was sent there with its receipt, and nothing else to anyone.
    assert_eq!(
        c.get(s.url(&sent)).send().await.unwrap().status(),
        StatusCode::OK
    );
    for made_up in [
        "/services/report-pothole/sent/Pay%20%C2%A3500%20to%20claim%20your%20refund",
        "/services/report-pothole/sent/TES-999999",
        &format!("/services/report-pothole/sent/TES-999999?receipt={receipt}"),
        &format!("/services/report-missed-bin/sent/{reference}?receipt={receipt}"),
        path,
        &format!("{path}?receipt=00{receipt}"),
    ] {
        assert_eq!(
            c.get(s.url(made_up)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{made_up}"
        );
    }
    // A staff page answers a guest and a resident the same, case or no case.
    let resident = s.client();
    crate::accounts::sign_up(&s, &resident, "a@mail.example", "resident a password").await;
    crate::accounts::sign_in(&s, &resident, "a@mail.example", "resident a password").await;
    for who in [&s.client(), &resident] {
        let real = who
            .get(s.url(&format!("/staff/cases/{reference}")))
            .send()
            .await
            .unwrap();
        let none = who
            .get(s.url("/staff/cases/TES-999999"))
            .send()
            .await
            .unwrap();
        assert_eq!(real.status(), none.status());
        assert_ne!(real.status(), StatusCode::NOT_FOUND);
        assert_eq!(real.text().await.unwrap(), none.text().await.unwrap());
    }
}

/// Lizzy, a resident with her home address, and her id.
async fn lizzy(s: &TestServer) -> (reqwest::Client, townhall_types::UserId) {
    let lizzy = s.client();
    crate::accounts::sign_up(s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    let email = townhall_types::EmailAddress::parse("lizzy@mail.example").unwrap();
    let id = townhall_identity::accounts::find_by_email(
        &s.db.store,
        s.council.id,
        townhall_identity::UserKind::Resident,
        &email,
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    let mut tx = s.db.store.begin().await.unwrap();
    let profile = townhall_identity::profiles::ResidentProfile {
        given_name: "Lizzy".into(),
        family_name: "Parker".into(),
        date_of_birth: Some("1984-03-02".into()),
        phone: None,
        uprn: Some(townhall_testkit::HOME_IN_ZONE.into()),
    };
    townhall_identity::profiles::save(&mut tx, s.council.id, id, &profile)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    crate::accounts::sign_in(s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    (lizzy, id)
}

/// The signed-in resident reports her missed bin (routed to Waste and Recycling).
async fn report_missed_bin(s: &TestServer, resident: &reqwest::Client) {
    let typed = townhall_testkit::collected_typed();
    let r = s
        .submit(
            resident,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/submit",
            &[
                ("address-uprn", townhall_testkit::HOME_IN_ZONE),
                ("bin", "general"),
                ("collection-date-day", &typed[0]),
                ("collection-date-month", &typed[1]),
                ("collection-date-year", &typed[2]),
                ("presented", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn staff_see_a_resident_only_when_they_need_to() {
    let s = TestServer::start().await;
    let staff = [
        (
            "waste@testshire.example",
            Role::Caseworker,
            Some("Waste and Recycling"),
        ),
        (
            "roads@testshire.example",
            Role::Caseworker,
            Some("Highways"),
        ),
        ("lead@testshire.example", Role::TeamLeader, Some("Highways")),
        ("dpo@testshire.example", Role::DataProtectionOfficer, None),
        ("admin@testshire.example", Role::Administrator, None),
        (
            "help@testshire.example",
            Role::CustomerServices,
            Some("Customer Services"),
        ),
    ];
    for (email, role, team) in staff {
        s.add_staff(email, "Sam Jones", role, team, PASSWORD).await;
    }
    let (lizzy, id) = lizzy(&s).await;
    // Her missed-bin report is routed to Waste and Recycling.
    report_missed_bin(&s, &lizzy).await;

    let record = format!("/staff/residents/{id}");
    let act = format!("/services/report-missed-bin/start?for={id}");
    // (who, what the record gives, what acting for her gives)
    let expected = [
        ("waste@testshire.example", StatusCode::OK, StatusCode::OK),
        (
            "roads@testshire.example",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            "lead@testshire.example",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            "dpo@testshire.example",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            "admin@testshire.example",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        ("help@testshire.example", StatusCode::OK, StatusCode::OK),
    ];
    // Her request's page (her name and email): its team, and the data
    // protection officer's oversight; nobody else.
    let case_page = [
        ("waste@testshire.example", StatusCode::OK),
        ("roads@testshire.example", StatusCode::FORBIDDEN),
        ("lead@testshire.example", StatusCode::FORBIDDEN),
        ("dpo@testshire.example", StatusCode::OK),
        ("admin@testshire.example", StatusCode::FORBIDDEN),
        ("help@testshire.example", StatusCode::FORBIDDEN),
    ];
    for (email, expected) in case_page {
        let c = staff_client(&s, email).await;
        let r = c
            .get(s.url("/staff/cases/TES-000001"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected, "{email} opening her request");
    }
    for (email, reads, acts) in expected {
        let c = staff_client(&s, email).await;
        let r = c.get(s.url(&record)).send().await.unwrap();
        assert_eq!(r.status(), reads, "{email} reading");
        let body = r.text().await.unwrap();
        assert_eq!(
            body.contains("2 March 1984"),
            reads == StatusCode::OK,
            "{email}"
        );
        // Those who could with a reason are asked for one; the administrator is not.
        assert_eq!(
            body.contains("Why do you need to see this record?"),
            reads == StatusCode::FORBIDDEN && !email.starts_with("admin"),
            "{email}"
        );
        let r = c.get(s.url(&act)).send().await.unwrap();
        assert_eq!(r.status(), acts, "{email} acting for her");
        assert_eq!(
            r.text().await.unwrap().contains("Lizzy Parker"),
            acts == StatusCode::OK
        );
        // Sending the answers for her is held to the same rule.
        assert_eq!(
            c.get(s.url("/staff")).send().await.unwrap().status(),
            StatusCode::OK,
            "{email}: the staff home"
        );
        let for_her = id.to_string();
        let typed = townhall_testkit::collected_typed();
        let r = s
            .submit(
                &c,
                "/staff",
                "/services/report-missed-bin/answers",
                &[
                    ("for", for_her.as_str()),
                    ("address-uprn", townhall_testkit::HOME_IN_ZONE),
                    ("bin", "general"),
                    ("collection-date-day", &typed[0]),
                    ("collection-date-month", &typed[1]),
                    ("collection-date-year", &typed[2]),
                    ("presented", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), acts, "{email} sending answers for her");
    }
    // A guest and another resident neither see her nor act for her.
    let other = s.client();
    crate::accounts::sign_up(&s, &other, "b@mail.example", "resident b password").await;
    crate::accounts::sign_in(&s, &other, "b@mail.example", "resident b password").await;
    for c in [&s.client(), &other] {
        let r = c.get(s.url(&record)).send().await.unwrap();
        assert!(matches!(
            r.status(),
            StatusCode::FORBIDDEN | StatusCode::SEE_OTHER
        ));
        let form = c
            .get(s.url(&act))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!form.contains("Lizzy Parker"));
    }
    // Once her case is closed, its team no longer sees her.
    townhall_store::sql::query("UPDATE cases SET closed = 1")
        .execute(s.db.store.reader())
        .await
        .unwrap();
    let waste = staff_client(&s, "waste@testshire.example").await;
    assert_eq!(
        waste.get(s.url(&record)).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_reason_given_to_see_a_record_is_recorded_shown_and_reviewed() {
    let s = TestServer::start().await;
    s.add_staff(
        "roads@testshire.example",
        "Sam Jones",
        Role::Caseworker,
        Some("Highways"),
        PASSWORD,
    )
    .await;
    s.add_staff(
        "dpo@testshire.example",
        "Dana Price",
        Role::DataProtectionOfficer,
        None,
        PASSWORD,
    )
    .await;
    let (lizzy, id) = lizzy(&s).await;
    let sam = staff_client(&s, "roads@testshire.example").await;
    let record = format!("/staff/residents/{id}");
    let reason_at = format!("/staff/residents/{id}/reason");
    let r = s
        .submit(&sam, &record, &reason_at, &[("reason", "need")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Enter the reason you need to see this record"));
    assert_eq!(s.count("break_glass_reads").await, 0);
    let why = "She phoned about a pothole outside her home and asked what we hold";
    let r = s
        .submit(&sam, &record, &reason_at, &[("reason", why)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = s.text(&sam, &record).await;
    assert!(page.contains("2 March 1984"), "the record is shown");
    // The look is audited with the reason, and Lizzy sees it.
    let (purpose,): (String,) = townhall_store::sql::query_as(
        "SELECT purpose FROM audit_log WHERE subject_id = $1 AND actor_kind = 'staff' ORDER BY seq DESC",
    )
    .bind(id.to_string())
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert!(purpose.contains(why), "{purpose}");
    assert!(s.text(&lizzy, "/account/access-log").await.contains(why));
    // The data protection officer reviews it.
    let dpo = staff_client(&s, "dpo@testshire.example").await;
    assert!(s.text(&dpo, "/staff").await.contains("/staff/break-glass"));
    let list = s.text(&dpo, "/staff/break-glass").await;
    assert!(list.contains(why));
    let read_id: (String,) = townhall_store::sql::query_as("SELECT read_id FROM break_glass_reads")
        .fetch_one(s.db.store.reader())
        .await
        .unwrap();
    let r = s
        .submit(
            &dpo,
            "/staff/break-glass",
            &format!("/staff/break-glass/{}/reviewed", read_id.0),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!s.text(&dpo, "/staff/break-glass").await.contains(why));
    // Stating the reason and reviewing it are in the audit log too.
    let (stated,): (i64,) = townhall_store::sql::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE purpose LIKE 'giving a reason to see the record:%' \
         OR purpose = 'reviewing a reason given to see the record'",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(stated, 2);
    // An officer does not review their own reason.
    let r = s
        .submit(&dpo, &record, &reason_at, &[("reason", why)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(s
        .text(&dpo, "/staff/break-glass")
        .await
        .contains("Another officer reviews your own"));
    let (own,): (String,) = townhall_store::sql::query_as(
        "SELECT read_id FROM break_glass_reads WHERE reviewed_at IS NULL",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    let r = s
        .submit(
            &dpo,
            "/staff/break-glass",
            &format!("/staff/break-glass/{own}/reviewed"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Only the data protection officer reviews.
    assert_eq!(
        sam.get(s.url("/staff/break-glass"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn staff_find_the_residents_they_may_see() {
    let s = TestServer::start().await;
    for (email, role, team) in [
        (
            "waste@testshire.example",
            Role::Caseworker,
            Some("Waste and Recycling"),
        ),
        (
            "roads@testshire.example",
            Role::Caseworker,
            Some("Highways"),
        ),
        (
            "help@testshire.example",
            Role::CustomerServices,
            Some("Customer Services"),
        ),
    ] {
        s.add_staff(email, "Sam Jones", role, team, PASSWORD).await;
    }
    let (lizzy, id) = lizzy(&s).await;
    report_missed_bin(&s, &lizzy).await;
    let bob = s.client();
    crate::accounts::sign_up(&s, &bob, "bob@mail.example", "another good password").await;
    // His details, saved as the account page saves them.
    let (bob_id,): (String,) =
        townhall_store::sql::query_as("SELECT user_id FROM users WHERE email = 'bob@mail.example'")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_identity::profiles::save(
        &mut tx,
        s.council.id,
        bob_id.parse().unwrap(),
        &townhall_identity::profiles::ResidentProfile {
            given_name: "Bob".into(),
            family_name: "Stone".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let find = |who: reqwest::Client, query: &'static str| {
        let s = &s;
        async move {
            let r = who
                .get(s.url(&format!("/staff/residents?{query}")))
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let lizzy_link = format!("/staff/residents/{id}");
    let waste = staff_client(&s, "waste@testshire.example").await;
    let (status, page) = find(waste.clone(), "name=lizzy+park").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&lizzy_link) && page.contains("2 March 1984"),
        "{page}"
    );
    let (_, page) = find(waste.clone(), "dob-day=2&dob-month=March&dob-year=1984").await;
    assert!(page.contains(&lizzy_link));
    let (_, page) = find(waste.clone(), "name=Bob").await;
    assert!(page.contains("0 found") && !page.contains("Stone"));
    let (status, page) = find(waste.clone(), "dob-day=31&dob-month=2&dob-year=1984").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Date of birth must be a real date"), "{page}");
    // Another team finds nobody; customer services find anyone.
    let roads = staff_client(&s, "roads@testshire.example").await;
    assert!(find(roads, "name=Lizzy").await.1.contains("0 found"));
    let help = staff_client(&s, "help@testshire.example").await;
    assert!(find(help.clone(), "name=stone")
        .await
        .1
        .contains("Bob Stone"));
    assert!(
        find(help.clone(), "name=a").await.1.contains("0 found"),
        "one letter lists nobody"
    );
    // Names in other scripts are found in either case, on either store.
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_identity::profiles::save(
        &mut tx,
        s.council.id,
        id,
        &townhall_identity::profiles::ResidentProfile {
            given_name: "Zoë".into(),
            family_name: "ØDEGAARD".into(),
            date_of_birth: Some("1984-03-02".into()),
            phone: None,
            uprn: Some(townhall_testkit::HOME_IN_ZONE.into()),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for typed in [
        "name=%C3%B8degaard",
        "name=ZO%C3%8B",
        "name=zo%C3%AB+%C3%98DEGAARD",
    ] {
        assert!(
            find(help.clone(), typed).await.1.contains(&lizzy_link),
            "{typed}"
        );
    }
    assert!(find(help.clone(), "postcode=te11aa")
        .await
        .1
        .contains(&lizzy_link));
    // Nothing asked, nothing listed or recorded.
    let before = s.count("audit_log").await;
    assert!(!find(help, "").await.1.contains("found"));
    assert_eq!(s.count("audit_log").await, before);
    // Lizzy sees that she was found, and why.
    assert!(s
        .text(&lizzy, "/account/access-log")
        .await
        .contains("finding a resident with an open request with Waste and Recycling"));
}
