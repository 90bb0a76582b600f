//! Using a service through the pages: questions, errors against their fields,
//! postcode look-up, check your answers, confirmation, and the resident's view.

use reqwest::StatusCode;
use townhall_testkit::{as_fields, TestServer, HOME_IN_ZONE, IN_PARISH};

use crate::accounts::{sign_in, sign_up};

#[tokio::test]
async fn a_guest_reports_a_missed_bin_and_mistakes_are_shown_against_their_fields() {
    let s = TestServer::start().await;
    let c = s.client();
    let about = s.text(&c, "/services/report-missed-bin").await;
    assert!(about.contains("href=\"/services/report-missed-bin/start\""));

    // Find the address by postcode, typed loosely (as GOV.UK's address
    // pattern asks: any case, no space, hyphens, brackets, full stops).
    for typed in ["te11aa", "TE1-1AA", "(TE1 1AA)", "te1.1aa"] {
        let r = s
            .submit(
                &c,
                "/services/report-missed-bin/start",
                "/services/report-missed-bin/answers",
                &[("address-postcode", typed), ("action", "find-address")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{typed}");
        let page = r.text().await.unwrap();
        assert!(page.contains("2 addresses found"), "{typed}");
        assert!(page.contains(&format!(
            "<option value=\"{HOME_IN_ZONE}\">1 High Street, Testford, TE1 1AA</option>"
        )));
    }
    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/answers",
            &[("address-postcode", "ZZ9 9ZZ"), ("action", "find-address")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("We cannot find any addresses at ZZ9 9ZZ"));

    // Mistakes: each against its field, what was typed kept, nothing stored.
    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/answers",
            &[
                ("address-uprn", HOME_IN_ZONE),
                ("collection-date-day", "1"),
                ("collection-date-month", "1"),
                ("collection-date-year", "2031"),
                ("your-email", "not an email"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("<title>Error: Report a missed bin collection"));
    assert!(page.contains("href=\"#bin\">Select which bin was missed"));
    assert!(page.contains("href=\"#collection-date\">Collection day must be today or in the past"));
    assert!(page.contains("href=\"#presented\">Select yes or no for out by 7am"));
    assert!(page.contains("href=\"#your-email\">Enter an email address in the correct format"));
    assert!(page.contains("value=\"2031\""), "what was typed is kept");
    assert_eq!(s.count("cases").await, 0);

    // The bin was due yesterday, the test homes' collection day.
    let [day, _, year] = townhall_testkit::collected_typed();
    let month = townhall_testkit::collected().month().to_string()[..3].to_lowercase();
    let answers = [
        ("address-uprn", HOME_IN_ZONE),
        ("bin", "general"),
        ("collection-date-day", &day),
        // Months as people type them: "dec", not 12.
        ("collection-date-month", &month),
        ("collection-date-year", &year),
        ("presented", "yes"),
        ("your-name", "Omar Haddad"),
        ("your-email", "omar@mail.example"),
    ];
    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/answers",
            &answers,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let check = r.text().await.unwrap();
    assert!(check.contains("Check your answers before sending"));
    assert!(check.contains("General waste (grey 240 litre bin)"));
    assert!(check.contains("1 High Street, Testford, TE1 1AA"));
    assert!(check.contains("<dt>Area</dt><dd>Middle ward</dd>"));
    let due = townhall_testkit::collected();
    assert!(
        check.contains(&format!("{} {} {}", due.day(), due.month(), due.year())),
        "a month typed as its name"
    );
    assert_eq!(s.count("cases").await, 0, "nothing is sent before Send");

    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/submit",
            &answers,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/services/report-missed-bin/sent/TES-000001?receipt="),
        "{location}"
    );
    let sent = s.text(&c, &location).await;
    assert!(sent.contains("<strong>TES-000001</strong>"));
    assert_eq!(s.count("cases").await, 1);
    let mail = s.mailbox(5).await;
    assert!(
        mail[0].recipient == "omar@mail.example"
            && mail[0].body.contains("missed bin report TES-000001")
    );
}

#[tokio::test]
async fn a_resident_reports_speeding_at_a_point_and_follows_it_from_the_dashboard() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    let (lat, lon) = (IN_PARISH.0.to_string(), IN_PARISH.1.to_string());
    let answers = [
        ("location-latitude", lat.as_str()),
        ("location-longitude", lon.as_str()),
        ("times", "morning"),
        ("times", "evening"),
        ("near-school", "yes"),
        ("details", "Cars racing past the school gate at 8:30"),
    ];
    let check = s
        .submit(
            &c,
            "/services/report-speeding/start",
            "/services/report-speeding/answers",
            &answers,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(check.contains("Morning rush hour, Evening rush hour"));
    assert!(check.contains("Middle ward, Northgate Parish"));
    assert!(
        !check.contains("Your email address"),
        "a resident is not asked who they are"
    );
    let r = s
        .submit(
            &c,
            "/services/report-speeding/start",
            "/services/report-speeding/submit",
            &answers,
        )
        .await;
    assert_eq!(r.headers()["location"], "/requests/TES-000001?new=1");
    let page = s.text(&c, "/requests/TES-000001?new=1").await;
    assert!(page.contains("<strong>TES-000001</strong>"));
    assert!(page.contains("We have sent a confirmation to lizzy@mail.example"));
    assert!(page.contains("Received"));
    assert!(
        !page.contains("Clerk"),
        "the routing is for staff, not shown to residents"
    );

    let dashboard = s.text(&c, "/dashboard").await;
    assert!(dashboard.contains("<a href=\"/requests/TES-000001\">TES-000001</a>"));
    assert!(dashboard.contains("<td>Report speeding traffic</td><td>Received</td>"));

    // Someone else cannot see it.
    let other = s.client();
    sign_up(&s, &other, "omar@mail.example", "another long password").await;
    sign_in(&s, &other, "omar@mail.example", "another long password").await;
    let r = other
        .get(s.url("/requests/TES-000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Signs up a resident whose profile gives their home at `uprn`.
pub(crate) async fn resident_at(s: &TestServer, email: &str, uprn: &str) -> reqwest::Client {
    let c = s.client();
    sign_up(s, &c, email, "kettle river jumper").await;
    let address = townhall_types::EmailAddress::parse(email).unwrap();
    let user = townhall_identity::accounts::find_by_email(
        &s.db.store,
        s.council.id,
        townhall_identity::UserKind::Resident,
        &address,
    )
    .await
    .unwrap()
    .unwrap();
    let profile = townhall_identity::profiles::ResidentProfile {
        given_name: "Lizzy".into(),
        family_name: "Parker".into(),
        date_of_birth: None,
        phone: None,
        uprn: Some(uprn.into()),
    };
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_identity::profiles::save(&mut tx, s.council.id, user.id, &profile)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sign_in(s, &c, email, "kettle river jumper").await;
    c
}

#[tokio::test]
async fn a_resident_applies_for_a_parking_permit_and_pays_before_it_is_sent() {
    let s = TestServer::start().await;
    let c = resident_at(&s, "lizzy@mail.example", HOME_IN_ZONE).await;
    let start = "/services/apply-parking-permit/start";
    let form = s.text(&c, start).await;
    assert!(
        form.contains(&format!("<option value=\"{HOME_IN_ZONE}\" selected>")),
        "her home is filled in"
    );

    let answers = [
        ("address-uprn", HOME_IN_ZONE),
        ("registration", "ab12 cde"),
        ("make", "Ford Fiesta"),
        ("keeper", "yes"),
    ];
    let check = s
        .submit(
            &c,
            start,
            "/services/apply-parking-permit/answers",
            &answers,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(check.contains("<dd>AB12CDE</dd>"));
    assert!(check.contains("<strong>£60.00</strong>"));
    assert!(check.contains("Continue to payment"));

    // Sent to pay; nothing is stored as a case until it is paid.
    let r = s
        .submit(&c, start, "/services/apply-parking-permit/submit", &answers)
        .await;
    let pay = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(pay.ends_with("/record"), "{pay}");
    assert_eq!(s.count("cases").await, 0);
    let page = s.text(&c, &pay).await;
    assert!(page.contains("Resident parking permit, 12 months") && page.contains("£60.00"));
    // Nobody else can carry on with the payment.
    let other = s.client();
    assert_eq!(
        other.get(&pay).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    let r = s.submit(&c, &pay, &pay, &[("decision", "pay")]).await;
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.ends_with("/return"));
    let r = c.get(s.url(&back)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/requests/TES-000001?new=1");
    let (status, linked): (String, Option<String>) =
        townhall_store::sql::query_as("SELECT status, case_id FROM payments")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_eq!(status, "success");
    assert!(linked.is_some());
    // Coming back again does not make a second case.
    c.get(s.url(&back)).send().await.unwrap();
    assert_eq!(s.count("cases").await, 1);
    // The case made and the payment settled are told once each, in that
    // order, the payment naming its case.
    let told: Vec<townhall_events::Stored> =
        townhall_events::after(&s.db.store, s.council.id, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| {
                e.cloud_type.starts_with("townhall.case.")
                    || e.cloud_type.starts_with("townhall.payment.")
            })
            .collect();
    let kinds: Vec<&str> = told.iter().map(|e| e.cloud_type.as_str()).collect();
    assert_eq!(
        kinds,
        ["townhall.case.submitted.v1", "townhall.payment.settled.v1"]
    );
    let settled = told[1]
        .read::<townhall_payments::PaymentSettled>()
        .unwrap()
        .unwrap();
    assert_eq!(Some(settled.case.to_string()), linked);
    assert_eq!(settled.amount_pence, 6000);

    // Parking issues it; she sees the permit and when it ends.
    s.add_staff(
        "parking@testshire.example",
        "Sam Patel",
        townhall_identity::Role::Caseworker,
        Some("Parking"),
        crate::casework::PASSWORD,
    )
    .await;
    let officer = crate::casework::staff_client(&s, "parking@testshire.example").await;
    let r = s
        .submit(
            &officer,
            "/staff/cases/TES-000001",
            "/staff/cases/TES-000001/status",
            &[("status", "issued")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dashboard = s.text(&c, "/dashboard").await;
    let until = townhall_types::Timestamp::now()
        .plus(time::Duration::days(365))
        .human_date();
    assert!(
        dashboard.contains(&format!("valid until {until}")),
        "{dashboard}"
    );

    // The same car again is refused before any payment.
    let r = s
        .submit(
            &c,
            start,
            "/services/apply-parking-permit/answers",
            &answers,
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("This vehicle already has a permit or an application in progress"));

    // A cancelled payment sends nothing.
    let second = [
        ("address-uprn", HOME_IN_ZONE),
        ("registration", "XY99 ZZZ"),
        ("make", "Kia Picanto"),
        ("keeper", "yes"),
    ];
    let r = s
        .submit(&c, start, "/services/apply-parking-permit/submit", &second)
        .await;
    let pay = r.headers()["location"].to_str().unwrap().to_owned();
    let r = s.submit(&c, &pay, &pay, &[("decision", "cancel")]).await;
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    let page = s.text(&c, &back).await;
    assert!(page.contains("Your payment was not taken"));
    assert_eq!(s.count("cases").await, 1);
}

#[tokio::test]
async fn a_home_outside_the_zone_is_told_why_next_to_the_address() {
    let s = TestServer::start().await;
    let c = resident_at(&s, "omar@mail.example", townhall_testkit::HOME_OUTSIDE_ZONE).await;
    let answers = [
        ("address-uprn", townhall_testkit::HOME_OUTSIDE_ZONE),
        ("registration", "AB12CDE"),
        ("make", "Ford Fiesta"),
        ("keeper", "yes"),
    ];
    let r = s
        .submit(
            &c,
            "/services/apply-parking-permit/start",
            "/services/apply-parking-permit/answers",
            &answers,
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains(
        "href=\"#address\">Resident permits are only for homes in a controlled parking zone"
    ));
    assert_eq!(s.count("payments").await, 0);
}

fn pothole_at(lat: f64, lon: f64) -> Vec<(&'static str, String)> {
    vec![
        ("location-latitude", lat.to_string()),
        ("location-longitude", lon.to_string()),
        ("surface", "road".to_owned()),
    ]
}

#[tokio::test]
async fn a_second_report_of_the_same_pothole_joins_the_first() {
    let s = TestServer::start().await;
    let (lat, lon) = townhall_testkit::NOT_IN_PARISH;
    let guest = s.client();
    let mut first = pothole_at(lat, lon);
    first.push(("your-email", "omar@mail.example".to_owned()));
    let r = s
        .submit(
            &guest,
            "/services/report-pothole/start",
            "/services/report-pothole/submit",
            &as_fields(&first),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // About 33 metres north, by a signed-in resident.
    let c = s.client();
    sign_up(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    sign_in(&s, &c, "lizzy@mail.example", "kettle river jumper").await;
    let second = pothole_at(lat + 0.0003, lon);
    let page = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/answers",
            &as_fields(&second),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Is this the same problem?"));
    assert!(page.contains("About 33 metres from where you said"));
    assert!(
        !page.contains("omar@mail.example"),
        "nothing personal about the first reporter"
    );

    let mut join = as_fields(&second);
    join.push(("join", "TES-000001"));
    let r = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/join",
            &join,
        )
        .await;
    assert_eq!(r.headers()["location"], "/requests/TES-000001");
    assert_eq!(s.count("cases").await, 1, "no duplicate case");
    assert!(s.text(&c, "/dashboard").await.contains("TES-000001"));
    assert!(s
        .text(&c, "/requests/TES-000001")
        .await
        .contains("Received"));
    let mail = s.mailbox(10).await;
    assert!(mail.iter().any(|m| m.recipient == "lizzy@mail.example"
        && m.subject.contains("you are following TES-000001")));

    // A report that is not nearby cannot be joined by editing the form.
    let far = pothole_at(lat + 0.01, lon);
    let mut forged = as_fields(&far);
    forged.push(("join", "TES-000001"));
    let r = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/join",
            &forged,
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // "No, this is a different problem" goes on to check your answers and a new case.
    let mut different = as_fields(&second);
    different.push(("action", "new-problem"));
    let page = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/answers",
            &different,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Check your answers before sending"));
    let r = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/submit",
            &as_fields(&second),
        )
        .await;
    assert_eq!(r.headers()["location"], "/requests/TES-000002?new=1");
}

#[tokio::test]
async fn a_bulky_waste_booking_takes_a_place_on_its_day() {
    let s = TestServer::start().await;
    let c = resident_at(&s, "lizzy@mail.example", HOME_IN_ZONE).await;
    let start = "/services/book-bulky-waste/start";
    let form = s.text(&c, start).await;
    let marker = "name=\"day\" value=\"";
    let at = form.find(marker).expect("a bookable day") + marker.len();
    let day = form[at..at + 10].to_owned();
    assert!(form[at..]
        .split("</label>")
        .next()
        .unwrap()
        .contains("(12 left)"));

    let answers = [
        ("address-uprn", HOME_IN_ZONE),
        ("items", "sofa"),
        ("items", "fridge"),
        ("day", day.as_str()),
        ("where-left", "Front garden by the gate"),
    ];
    let r = s
        .submit(&c, start, "/services/book-bulky-waste/submit", &answers)
        .await;
    let pay = r.headers()["location"].to_str().unwrap().to_owned();
    let r = s.submit(&c, &pay, &pay, &[("decision", "pay")]).await;
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        c.get(s.url(&back)).send().await.unwrap().headers()["location"],
        "/requests/TES-000001?new=1"
    );

    let form = s.text(&c, start).await;
    let label = form
        .split(&format!("value=\"{day}\""))
        .nth(1)
        .unwrap()
        .split("</label>")
        .next()
        .unwrap();
    assert!(label.contains("(11 left)"), "{label}");

    // A day the service does not run is refused against the field.
    let mut wrong = answers.to_vec();
    wrong[3] = ("day", "2020-01-01");
    let r = s
        .submit(&c, start, "/services/book-bulky-waste/answers", &wrong)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("href=\"#day\">That day is now full or cannot be booked"));
}

#[tokio::test]
async fn a_resident_orders_a_bin_to_their_home_and_pays_for_it() {
    let s = TestServer::start().await;
    // Guests are sent to sign in: the council delivers to a known home.
    let guest = s.client();
    let r = guest
        .get(s.url("/services/request-bin/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/sign-in");

    let c = resident_at(&s, "lizzy@mail.example", HOME_IN_ZONE).await;
    let start = "/services/request-bin/start";
    let form = s.text(&c, start).await;
    assert!(
        form.contains(&format!("name=\"address-uprn\" value=\"{HOME_IN_ZONE}\""))
            || form.contains(&format!("value=\"{HOME_IN_ZONE}\" selected")),
        "the home address is filled in"
    );

    // Mistakes: each against its field, nothing stored or paid.
    let r = s
        .submit(
            &c,
            start,
            "/services/request-bin/answers",
            &[("address-uprn", HOME_IN_ZONE), ("bin", "wheelie")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#bin\">Select one of the options for bin"));
    assert!(page.contains("href=\"#reason\">Select reason"));
    assert_eq!(s.count("payments").await, 0);

    let answers = [
        ("address-uprn", HOME_IN_ZONE),
        ("bin", "recycling"),
        ("reason", "damaged"),
    ];
    let r = s
        .submit(&c, start, "/services/request-bin/answers", &answers)
        .await;
    let check = r.text().await.unwrap();
    assert!(check.contains("1 High Street, Testford, TE1 1AA"));
    assert!(check.contains("£30.00"));
    let r = s
        .submit(&c, start, "/services/request-bin/submit", &answers)
        .await;
    let pay = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(s.count("cases").await, 0, "nothing is made before payment");
    let r = s.submit(&c, &pay, &pay, &[("decision", "pay")]).await;
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        c.get(s.url(&back)).send().await.unwrap().headers()["location"],
        "/requests/TES-000001?new=1"
    );
    let request = s.text(&c, "/requests/TES-000001").await;
    assert!(request.contains("Mixed recycling (blue 240 litre bin)"));
    assert!(request.contains("Ordered"));
}

#[tokio::test]
async fn a_newcomer_is_shown_what_works_here() {
    let s = TestServer::start().await;
    let c = s.client();
    // The example in the error is one of this council's postcodes, and works.
    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/answers",
            &[("address-postcode", "nonsense"), ("action", "find-address")],
        )
        .await;
    let page = r.text().await.unwrap();
    let example = page
        .split("Enter a full postcode, like ")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("an example postcode")
        .to_owned();
    assert_eq!(example, "TE1 1AA");
    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/answers",
            &[("address-postcode", &example), ("action", "find-address")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("addresses found"));
    // Where there is no map, nothing speaks of one.
    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/answers",
            &[("bin", "general")],
        )
        .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Enter a postcode and choose an address"));
    for path in [
        "/services/report-pothole/start",
        "/services/report-pothole/rules",
    ] {
        assert!(!s.text(&c, path).await.contains("map"), "{path}");
    }
    let typed = townhall_testkit::collected_typed();
    // Check your answers: each row has its own "Change", back to its question.
    let r = s
        .submit(
            &c,
            "/services/report-missed-bin/start",
            "/services/report-missed-bin/answers",
            &[
                ("address-uprn", HOME_IN_ZONE),
                ("bin", "general"),
                ("collection-date-day", &typed[0]),
                ("collection-date-month", &typed[1]),
                ("collection-date-year", &typed[2]),
                ("presented", "yes"),
            ],
        )
        .await;
    let check = r.text().await.unwrap();
    assert!(check.contains("Check your answers"), "{check}");
    let rows = check.matches("class=\"summary-list__row\"").count();
    let changes = check
        .matches("formaction=\"/services/report-missed-bin/answers#")
        .count();
    assert_eq!(changes, rows - 1, "every row but the area has a Change");
    assert!(check.contains("answers#address\""));
    // The sign-in pages do not offer to sign in; the others do.
    assert!(s.text(&c, "/").await.contains("href=\"/sign-in\""));
    for path in ["/sign-in", "/staff/sign-in"] {
        assert!(
            !s.text(&c, path).await.contains("href=\"/sign-in\""),
            "{path}"
        );
    }
    // The site has an icon.
    let r = c.get(s.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/x-icon");
    assert_eq!(&r.bytes().await.unwrap()[..4], &[0, 0, 1, 0]);
}
