//! A partner organisation's staff on the hub's pages: their own sign-in
//! and role, finding and reading a person exactly as their organisation's
//! agreements and the person's consent allow, audited under their name;
//! and nothing of another organisation's, the council's or a resident's.

use reqwest::StatusCode;
use townhall_consent::Choice;
use townhall_exchange::staff::{self, NewPartnerStaff, StaffError};
use townhall_identity::PartnerRole;
use townhall_testkit::TestServer;
use townhall_types::EmailAddress;

use crate::casework::PASSWORD;
use crate::exchange::{choose, resident_in_index};

const GP: &str = "riverside-medical-centre";
const HOMES: &str = "riverside-homes";

/// Gives a member of `partner`'s staff an account with the tests' password.
pub(crate) async fn add(s: &TestServer, partner: &str, email: &str, name: &str, role: PartnerRole) {
    let hash = townhall_identity::password::hash_async(PASSWORD.to_owned()).await;
    staff::add(
        &s.db.store,
        s.council.id,
        partner,
        &NewPartnerStaff {
            email: &EmailAddress::parse(email).unwrap(),
            name,
            role,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
}

/// A browser signed in as a partner's member of staff.
pub(crate) async fn partner_client(s: &TestServer, email: &str) -> reqwest::Client {
    let c = s.client();
    let r = s
        .submit(
            &c,
            "/partner/sign-in",
            "/partner/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email} signs in");
    assert_eq!(r.headers()["location"], "/partner");
    c
}

async fn status_of(c: &reqwest::Client, s: &TestServer, path: &str) -> StatusCode {
    c.get(s.url(path)).send().await.unwrap().status()
}

/// Martin, signed in, in a resident index of a few thousand records (the
/// index is sure of someone only among many), with his answer to the
/// GP's wellbeing checks: his browser, account and person id.
async fn martin(s: &TestServer) -> (reqwest::Client, townhall_types::UserId, String) {
    let dir = tempfile::tempdir().unwrap();
    crate::resident_index::import_and_link(s, dir.path()).await;
    let (c, user, person) = resident_in_index(s, "martin@mail.example", ("Martin", "Hughes")).await;
    choose(s, user, "gp-wellbeing-checks", "gp", Choice::Granted).await;
    (c, user, person)
}

/// Martin, in the resident index, as a search by name finds him.
fn martin_search(purpose: &str) -> Vec<(&str, &str)> {
    vec![
        ("purpose", purpose),
        ("given_name", "martin"),
        ("family_name", "hughes"),
        ("date_of_birth-day", "14"),
        ("date_of_birth-month", "3"),
        ("date_of_birth-year", "1951"),
        ("postcode", "te11aa"),
    ]
}

#[tokio::test]
async fn a_practitioner_finds_and_reads_a_consenting_resident_under_their_agreement_in_their_own_name(
) {
    let s = TestServer::start().await;
    add(
        &s,
        GP,
        "amira.patel@rmc.nhs.example",
        "Dr Amira Patel",
        PartnerRole::Practitioner,
    )
    .await;
    let (resident, user, person) = martin(&s).await;

    // Anyone not signed in is sent to the partners' sign-in.
    let anonymous = s.client();
    let r = anonymous.get(s.url("/partner/find")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/partner/sign-in");
    // A resident's password is not a partner's: the kinds of account are apart.
    let wrong = s
        .submit(
            &anonymous,
            "/partner/sign-in",
            "/partner/sign-in",
            &[
                ("email", "martin@mail.example"),
                ("password", "kettle river jumper"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let amira = partner_client(&s, "amira.patel@rmc.nhs.example").await;
    let home = s.text(&amira, "/partner").await;
    for said in [
        "<h1>Riverside Medical Centre</h1>",
        "You are signed in as Dr Amira Patel, practitioner.",
        "<a href=\"/data-sharing/gp-wellbeing-checks\">GP wellbeing checks</a>",
        "Their details: Name, Date of birth, Address, Phone number — the council shares with you",
        "Missed appointments: Appointments missed — you send to the council",
        "<a href=\"/partner/find\">Find a person</a>",
    ] {
        assert!(home.contains(said), "{said}: {home}");
    }
    assert!(!home.contains("/partner/history"), "for managers only");

    // Mistakes are said next to their fields, GOV.UK's way, and nothing is asked of the hub.
    let audited = s.count("audit_log").await;
    let r = s
        .submit(
            &amira,
            "/partner/find",
            "/partner/find",
            &[
                ("purpose", "housing-support"),
                ("family_name", "Hughes"),
                ("date_of_birth-day", "31"),
                ("date_of_birth-month", "2"),
                ("date_of_birth-year", "1951"),
                ("postcode", "not a postcode"),
                ("nhs_number", "943 476 5918"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for said in [
        "Select what you need to find them for",
        "Enter a valid NHS number, 10 digits like 943 476 5919",
        "Date of birth must be a real date",
        "Enter a real postcode, like RV4 3AX",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    assert!(page.contains("value=\"Hughes\""), "what was typed is kept");
    let r = s
        .submit(
            &amira,
            "/partner/find",
            "/partner/find",
            &[("purpose", "gp-wellbeing-checks")],
        )
        .await;
    let page = r.text().await.unwrap();
    for said in [
        "Enter their first name, or their NHS number instead",
        "Enter their last name, or their NHS number instead",
        "Enter their date of birth, or their NHS number instead",
        "Enter their postcode, or their NHS number instead",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    let r = s
        .submit(
            &amira,
            "/partner/find",
            "/partner/find",
            &[
                ("purpose", "gp-wellbeing-checks"),
                ("given_name", "-"),
                ("family_name", "?"),
                ("date_of_birth-day", "14"),
                ("date_of_birth-month", "3"),
                ("date_of_birth-year", "2099"),
                ("postcode", "TE1 1AA"),
            ],
        )
        .await;
    let page = r.text().await.unwrap();
    for said in [
        "Enter their first name in letters",
        "Enter their last name in letters",
        "Date of birth must be in the past",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    assert_eq!(s.count("audit_log").await, audited);

    // Martin's name and home with another date of birth (his son's, say) is
    // not Martin, however well the rest agrees.
    let mut son = martin_search("gp-wellbeing-checks");
    son[3] = ("date_of_birth-day", "1");
    son[4] = ("date_of_birth-month", "1");
    son[5] = ("date_of_birth-year", "1990");
    let r = s
        .submit(&amira, "/partner/find", "/partner/find", &son)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Someone the council holds no date of birth for cannot be confirmed by
    // one: the search asks for more, and says nobody's name.
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_index::records::import(
        &mut tx,
        s.council.id,
        "electoral_register",
        &[],
        &[townhall_index::records::NewRecord {
            record_id: "ER-KM".into(),
            person: townhall_linkage::record::RawPerson {
                first_name: "Kwame".into(),
                surname: "Mensah".into(),
                postcode: "TE2 2BB".into(),
                address: "7 Orchard Way".into(),
                ..Default::default()
            },
            account: None,
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    townhall_index::run::run(&s.db.store, s.council.id, &s.index_policy(), &())
        .await
        .unwrap();
    let r = s
        .submit(
            &amira,
            "/partner/find",
            "/partner/find",
            &[
                ("purpose", "gp-wellbeing-checks"),
                ("given_name", "Kwame"),
                ("family_name", "Mensah"),
                ("date_of_birth-day", "1"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "1960"),
                ("postcode", "TE2 2BB"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains("More than one person could be meant, or the match is in doubt: give more details, such as the NHS number."), "{page}");
    assert!(!page.contains("Orchard"), "{page}");

    // Found, typed as people type: lower case, no space in the postcode.
    let r = s
        .submit(
            &amira,
            "/partner/find",
            "/partner/find",
            &martin_search("gp-wellbeing-checks"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let found = r.text().await.unwrap();
    assert!(found.contains(&format!("<code>{person}</code>")), "{found}");
    let read = format!("/partner/people/{person}/person");
    assert!(found.contains(&format!("action=\"{read}\"")), "{found}");
    assert!(found.contains("See their details"), "{found}");
    assert!(found.contains("See wellbeing concern"), "{found}");
    assert!(
        !found.contains("See missed appointments"),
        "the practice sends those, never reads them"
    );

    // Read: exactly the agreement's fields, nothing else the council holds.
    let r = s
        .submit(
            &amira,
            "/partner/find",
            &read,
            &[("purpose", "gp-wellbeing-checks")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let record = r.text().await.unwrap();
    for said in [
        "<dt>Name</dt><dd>Martin Hughes</dd>",
        "<dt>Date of birth</dt><dd>14 March 1951</dd>",
        "<dt>Address</dt><dd>4 Mill Lane, Testham, TE1 1AA</dd>",
        "<dt>Phone number</dt><dd>01632 960123</dd>",
        "Shared under the agreement 'GP wellbeing checks'",
    ] {
        assert!(record.contains(said), "{said}: {record}");
    }
    let at = |label: &str| record.find(&format!("<dt>{label}</dt>")).unwrap();
    assert!(
        at("Name") < at("Date of birth") && at("Date of birth") < at("Address"),
        "in the agreement's order"
    );
    assert!(
        !record.contains("martin@mail.example"),
        "email is not in the agreement"
    );

    // Martin sees who, by name and organisation, and why.
    let log = s.text(&resident, "/account/access-log").await;
    assert!(
        log.contains("<td>Dr Amira Patel, Riverside Medical Centre</td><td>looked at your details: your name, your date of birth, your address, your phone number</td><td>Health and wellbeing checks by my GP, under the agreement 'GP wellbeing checks' (until 31 March 2028)</td>"),
        "{log}"
    );
    assert!(
        log.contains("<td>Dr Amira Patel, Riverside Medical Centre</td><td>looked at your details: your name, your date of birth, your address</td><td>Health and wellbeing checks by my GP: found you in the council's records"),
        "{log}"
    );

    // Martin says no: the search finds nobody, and the read says why.
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Withdrawn).await;
    let r = s
        .submit(
            &amira,
            "/partner/find",
            "/partner/find",
            &martin_search("gp-wellbeing-checks"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Nobody in the council's records matches closely enough."),
        "{page}"
    );
    let r = s
        .submit(
            &amira,
            "/partner/find",
            &read,
            &[("purpose", "gp-wellbeing-checks")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("The resident has said no to sharing for this purpose."),
        "{page}"
    );
    assert!(!page.contains("01632 960123"));
    let log = s.text(&resident, "/account/access-log").await;
    assert!(
        log.contains("<td>Dr Amira Patel, Riverside Medical Centre</td><td>was refused your details: your name, your date of birth, your address, your phone number, your email address</td><td>Refused, because you said no to sharing for this</td>"),
        "{log}"
    );
}

/// Riverside Homes' staff try every hub page and API, the council's staff
/// pages and a resident's pages: they get their own organisation's work
/// and nothing else.
#[tokio::test]
async fn a_partners_staff_see_nothing_outside_their_organisations_agreements() {
    let s = TestServer::start().await;
    add(
        &s,
        GP,
        "amira.patel@rmc.nhs.example",
        "Dr Amira Patel",
        PartnerRole::Practitioner,
    )
    .await;
    add(
        &s,
        GP,
        "jo.bennett@rmc.nhs.example",
        "Jo Bennett",
        PartnerRole::Manager,
    )
    .await;
    add(
        &s,
        HOMES,
        "sam.carter@riversidehomes.example",
        "Sam Carter",
        PartnerRole::Practitioner,
    )
    .await;
    add(
        &s,
        HOMES,
        "lee.ward@riversidehomes.example",
        "Lee Ward",
        PartnerRole::Manager,
    )
    .await;
    let (_resident, user, person) = martin(&s).await;

    // An address is one partner account, whichever organisation asks.
    let hash = townhall_identity::password::hash_async(PASSWORD.to_owned()).await;
    let again = staff::add(
        &s.db.store,
        s.council.id,
        GP,
        &NewPartnerStaff {
            email: &EmailAddress::parse("sam.carter@riversidehomes.example").unwrap(),
            name: "Sam Carter",
            role: PartnerRole::Manager,
            password_hash: &hash,
        },
    )
    .await;
    assert!(matches!(again, Err(StaffError::EmailTaken(_))), "{again:?}");
    let nowhere = staff::add(
        &s.db.store,
        s.council.id,
        "riverside-zoo",
        &NewPartnerStaff {
            email: &EmailAddress::parse("keeper@zoo.example").unwrap(),
            name: "Kim Keeper",
            role: PartnerRole::Manager,
            password_hash: &hash,
        },
    )
    .await;
    assert!(
        matches!(nowhere, Err(StaffError::UnknownPartner(_))),
        "{nowhere:?}"
    );

    let amira = partner_client(&s, "amira.patel@rmc.nhs.example").await;
    let r = s
        .submit(
            &amira,
            "/partner/find",
            "/partner/find",
            &martin_search("gp-wellbeing-checks"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let sam = partner_client(&s, "sam.carter@riversidehomes.example").await;
    let home = s.text(&sam, "/partner").await;
    assert!(home.contains("<h1>Riverside Homes</h1>"), "{home}");
    assert!(!home.contains("GP wellbeing checks"), "{home}");
    let form = s.text(&sam, "/partner/find").await;
    assert!(form.contains("value=\"housing-support\""), "{form}");
    assert!(!form.contains("gp-wellbeing-checks"), "{form}");

    // Martin has not said yes to housing support: a search finds nobody,
    // and the organisation's history says no more than that it was refused.
    let r = s
        .submit(
            &sam,
            "/partner/find",
            "/partner/find",
            &martin_search("housing-support"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let lee = partner_client(&s, "lee.ward@riversidehomes.example").await;
    let history = s.text(&lee, "/partner/history").await;
    assert!(
        history.contains("<td>Sam Carter, Riverside Homes</td><td>Search for a person by Name, Date of birth, Address</td><td>Refused</td>"),
        "{history}"
    );
    for hidden in [person.as_str(), "have not said yes", "said no"] {
        assert!(!history.contains(hidden), "{hidden}: {history}");
    }
    choose(
        &s,
        user,
        "housing-support",
        "housing-support",
        Choice::Granted,
    )
    .await;

    // The GP's purpose is not Riverside Homes' to ask for, by search or read.
    let r = s
        .submit(
            &sam,
            "/partner/find",
            "/partner/find",
            &martin_search("gp-wellbeing-checks"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Select what you need to find them for"));
    for (path, purpose, said) in [
        (
            format!("/partner/people/{person}/person"),
            "gp-wellbeing-checks",
            "None of your organisation's agreements is for this purpose.",
        ),
        (
            format!("/partner/people/{person}/wellbeing_concern"),
            "housing-support",
            "The agreement for this purpose does not share this record type.",
        ),
        (
            format!("/partner/people/{person}/nhs_records"),
            "housing-support",
            "The agreement for this purpose does not share this record type.",
        ),
    ] {
        let r = s
            .submit(&sam, "/partner/find", &path, &[("purpose", purpose)])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let page = r.text().await.unwrap();
        assert!(page.contains(said), "{path}: {page}");
        assert!(!page.contains("Martin"), "{page}");
    }
    // Their own agreement's fields, and no more.
    let r = s
        .submit(
            &sam,
            "/partner/find",
            &format!("/partner/people/{person}/person"),
            &[("purpose", "housing-support")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let record = r.text().await.unwrap();
    assert!(
        record.contains("<dt>Email address</dt><dd>martin@mail.example</dd>"),
        "{record}"
    );
    assert!(!record.contains("Date of birth"), "{record}");

    // A practitioner sees no history; a manager sees their own organisation's alone.
    assert_eq!(
        status_of(&sam, &s, "/partner/history").await,
        StatusCode::FORBIDDEN
    );
    let history = s.text(&lee, "/partner/history").await;
    assert!(
        history.contains(&format!("<td>Sam Carter, Riverside Homes</td><td>Read of {person}: Name, Address, Phone number, Email address</td><td>Answered</td>")),
        "{history}"
    );
    assert!(
        history.contains(&format!("<td>Sam Carter, Riverside Homes</td><td>Read of {person}: Reason for concern</td><td>Refused</td>")),
        "{history}"
    );
    assert!(!history.contains("Amira"), "{history}");
    let jo = partner_client(&s, "jo.bennett@rmc.nhs.example").await;
    let history = s.text(&jo, "/partner/history").await;
    assert!(
        history.contains("Dr Amira Patel, Riverside Medical Centre"),
        "{history}"
    );
    assert!(!history.contains("Sam Carter"), "{history}");

    // Nothing of the council's staff pages or a resident's, reading or writing.
    for path in [
        "/staff",
        "/staff/hub/partners",
        "/staff/hub/dead-letters",
        "/staff/hub/partners/riverside-homes",
        "/staff/residents",
        "/staff/break-glass",
        "/staff/index",
        "/staff/index/reviews",
        &format!("/staff/people/{person}"),
        "/dashboard",
        "/account",
        "/account/details",
        "/account/consent",
        "/account/access-log",
        "/account/consent/receipt.json",
    ] {
        assert_eq!(
            status_of(&sam, &s, path).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for (page, action) in [
        ("/partner", "/staff/hub/partners"),
        (
            "/partner",
            "/staff/hub/dead-letters/00000000-0000-0000-0000-000000000000",
        ),
        ("/partner", &format!("/staff/residents/{user}/reason")),
        ("/partner", "/account/details"),
        ("/partner", "/staff/people"),
    ] {
        let r = s
            .submit(&sam, page, action, &[("id", "evil"), ("reason", "curious")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(
        townhall_exchange::partners::list(&s.db.store, s.council.id)
            .await
            .unwrap()
            .len(),
        3
    );
    // The API is for signed requests: a partner's session is not a signature.
    let r = sam
        .get(s.url(&format!(
            "/api/hub/v1/people/{person}/person?purpose=housing-support"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "signature_missing");
    assert_eq!(
        status_of(&sam, &s, "/api/v1/events").await,
        StatusCode::UNAUTHORIZED,
        "the event feed takes an API key"
    );

    // And the council's staff have no partner pages.
    s.add_staff(
        "dana@testshire.example",
        "Dana Whitfield",
        townhall_identity::Role::DataProtectionOfficer,
        None,
        PASSWORD,
    )
    .await;
    let dana = crate::casework::staff_client(&s, "dana@testshire.example").await;
    for path in [
        "/partner",
        "/partner/find",
        "/partner/history",
        "/partner/account",
    ] {
        assert_eq!(
            status_of(&dana, &s, path).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // Sam leaves Riverside Homes: the data protection officer closes his
    // account, and his open session with it.
    crate::exchange::partner_key(&s, HOMES, "riverside-homes-2026").await;
    let theirs = s.text(&dana, "/staff/hub/partners/riverside-homes").await;
    for said in [
        "<td>Sam Carter</td><td>sam.carter@riversidehomes.example</td><td>Practitioner</td>",
        "<td>Lee Ward</td><td>lee.ward@riversidehomes.example</td><td>Information governance manager</td>",
        "<code>riverside-homes-2026</code>",
    ] {
        assert!(theirs.contains(said), "{said}: {theirs}");
    }
    let closed = s
        .submit(
            &dana,
            "/staff/hub/partners/riverside-homes",
            "/staff/hub/partners/riverside-homes/staff/remove",
            &[("email", "sam.carter@riversidehomes.example")],
        )
        .await;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        closed.headers()["location"],
        "/staff/hub/partners/riverside-homes?removed=1"
    );
    let r = sam.get(s.url("/partner")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/partner/sign-in");
    let again = s
        .submit(
            &s.client(),
            "/partner/sign-in",
            "/partner/sign-in",
            &[
                ("email", "sam.carter@riversidehomes.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    // Someone else's organisation, or nobody on it, is nothing to close.
    for (partner, email) in [
        (
            "riverside-medical-centre",
            "lee.ward@riversidehomes.example",
        ),
        ("riverside-homes", "sam.carter@riversidehomes.example"),
    ] {
        let r = s
            .submit(
                &dana,
                "/staff/hub/partners/riverside-homes",
                &format!("/staff/hub/partners/{partner}/staff/remove"),
                &[("email", email)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{partner} {email}");
    }
    assert!(s
        .text(&lee, "/partner")
        .await
        .contains("<h1>Riverside Homes</h1>"));
}

/// The partner pages, mistakes and all, pass axe-core in a browser; a
/// partner's member of staff adds a passkey and signs in with it.
#[tokio::test]
async fn the_partner_pages_are_accessible_and_take_a_passkey() {
    let s = TestServer::start().await;
    add(
        &s,
        GP,
        "jo.bennett@rmc.nhs.example",
        "Jo Bennett",
        PartnerRole::Manager,
    )
    .await;
    let _martin = martin(&s).await;
    let b = townhall_testkit::browser::Browser::start().await;
    b.add_virtual_authenticator().await;
    b.visit(&s.url("/partner/sign-in")).await;
    b.check_accessibility().await;
    b.fill("email", "jo.bennett@rmc.nhs.example").await;
    b.fill("password", PASSWORD).await;
    b.click("form[action='/partner/sign-in'] button[type=submit]")
        .await;
    b.wait_for_path("/partner").await;
    b.check_accessibility().await;
    b.visit(&s.url("/partner/find")).await;
    b.check_accessibility().await;
    b.click("form[action='/partner/find'] button").await;
    b.wait_for_text(".error-summary", "Enter their last name")
        .await;
    b.check_accessibility().await;
    b.fill("given_name", "Martin").await;
    b.fill("family_name", "Hughes").await;
    b.fill("date_of_birth-day", "14").await;
    b.fill("date_of_birth-month", "3").await;
    b.fill("date_of_birth-year", "1951").await;
    b.fill("postcode", "TE1 1AA").await;
    b.click("form[action='/partner/find'] button").await;
    b.wait_for_text("h1", "One person found").await;
    b.check_accessibility().await;
    b.click("form[action$='/person'] button").await;
    b.wait_for_text("h1", "Their details").await;
    assert!(b.text("main").await.contains("01632 960123"));
    b.check_accessibility().await;
    b.visit(&s.url("/partner/history")).await;
    b.check_accessibility().await;

    b.visit(&s.url("/partner/account")).await;
    assert!(b
        .text("main")
        .await
        .contains("You have not added a passkey"));
    b.check_accessibility().await;
    b.click("#passkey-register button").await;
    b.wait_for_text(".notification-banner", "Passkey added")
        .await;
    b.check_accessibility().await;
    b.click("header form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;
    b.visit(&s.url("/partner/sign-in")).await;
    b.click("#passkey-sign-in").await;
    b.wait_for_path("/partner").await;
    assert!(b.text("h1").await.contains("Riverside Medical Centre"));
    b.close().await;
}
