//! Triggers: Martin's story. His bin is reported not put out at two
//! collections in a row, through the real broker; the rule fires once (a
//! third report in the same episode fires nothing), refers him to his GP
//! practice through the hub, whose member of staff accepts and records the
//! call; Martin reads why on his dashboard, and who looked. A dry run over
//! the same days finds him, and, once he withdraws his consent, says so
//! and finds nobody.

use reqwest::StatusCode;
use townhall_consent::Choice;
use townhall_identity::{PartnerRole, Role};
use townhall_store::sql;
use townhall_testkit::browser::Browser;
use townhall_testkit::residents::{self, Resident};
use townhall_testkit::{collected, TestServer, HOME_IN_ZONE};
use townhall_triggers::live::Rules;
use townhall_types::UserId;

use crate::accounts::sign_in;
use crate::casework::{staff_client, PASSWORD};
use crate::exchange::choose;
use crate::partner_pages::{add, partner_client};
use crate::sensors::{listening, publish, until};

const TAG: &str = "urn:dev:tag:T-1";
const FIRINGS: &str = "SELECT COUNT(*) FROM trigger_firings WHERE council_id = $1";

/// Martin, in the resident index with an adult social care record saying
/// he has a mobility need, living at the tagged home, who said yes to GP
/// wellbeing checks, signed in: his browser, account and person id.
async fn martin(s: &TestServer) -> (reqwest::Client, UserId, String) {
    let password = "kettle river jumper";
    let made = residents::add(
        s,
        &[Resident {
            email: "martin@mail.example",
            name: ("Martin", "Hughes"),
            born: "1951-03-14",
            home: Some(HOME_IN_ZONE),
            mobility_need: Some("yes"),
            gp_checks: true,
            password: Some(password),
        }],
    )
    .await;
    let (user, person) = made[0];
    let c = s.client();
    let r = sign_in(s, &c, "martin@mail.example", password).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "Martin signs in");
    (c, user, person.to_string())
}

/// The server reading the broker, with the rules' subscriber running as
/// the server runs it: the topic to publish to, and the subscriber.
async fn evaluating(s: &TestServer) -> (String, tokio::task::JoinHandle<()>) {
    let topic = listening(s).await;
    let rules = Rules::for_councils(&s.db.store, [s.settings()]).unwrap();
    let running = tokio::spawn(townhall_events::run(
        s.db.store.clone(),
        rules,
        townhall_events::IDLE,
    ));
    (topic, running)
}

/// Dr Amira Patel of the GP practice, and Dana Whitfield, the council's
/// data protection officer, each with the tests' password.
async fn practice_and_officer(s: &TestServer) {
    add(
        s,
        "riverside-medical-centre",
        "amira.patel@rmc.nhs.example",
        "Dr Amira Patel",
        PartnerRole::Practitioner,
    )
    .await;
    s.add_staff(
        "dana@testshire.example",
        "Dana Whitfield",
        Role::DataProtectionOfficer,
        None,
        PASSWORD,
    )
    .await;
}

/// The tag's bin reported not put out at its last two collections, and
/// the rule's firing awaited: those days.
async fn not_put_out_twice(s: &TestServer, topic: &str) -> (time::Date, time::Date) {
    let (first, second) = (collected() - time::Duration::weeks(1), collected());
    publish(topic, &not_presented(first, 10)).await;
    publish(topic, &not_presented(second, 10)).await;
    until(s, FIRINGS, 1).await;
    (first, second)
}

/// The id of the council's one firing.
async fn the_firing(s: &TestServer) -> String {
    let (id,): (String,) =
        sql::query_as("SELECT firing_id FROM trigger_firings WHERE council_id = $1")
            .bind(s.council.id.to_string())
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    id
}

/// A not-presented report of the tag on `day` at `hour` (UTC), as a
/// collection vehicle publishes it.
fn not_presented(day: time::Date, hour: u8) -> String {
    let at = day
        .with_hms(hour, 0, 0)
        .unwrap()
        .assume_utc()
        .unix_timestamp();
    format!(
        r#"[{{"bn":"{TAG}:","bt":{at},"n":"lift","vs":"not-presented"}},{{"n":"round","vs":"general-weekly"}}]"#
    )
}

/// Day, month and year boxes for a dry run's period.
fn period(from: time::Date, to: time::Date) -> Vec<(&'static str, String)> {
    let mut fields = Vec::new();
    for (name, day) in [("from", from), ("to", to)] {
        fields.push((leak(format!("{name}-day")), day.day().to_string()));
        fields.push((
            leak(format!("{name}-month")),
            u8::from(day.month()).to_string(),
        ));
        fields.push((leak(format!("{name}-year")), day.year().to_string()));
    }
    fields
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

#[tokio::test]
async fn martin_is_referred_to_his_gp_once_who_accepts_and_records_the_call_and_he_sees_why() {
    let s = TestServer::start().await;
    practice_and_officer(&s).await;
    let (resident, user, person) = martin(&s).await;
    let (topic, evaluating) = evaluating(&s).await;

    // Not put out last week: one collection is not two in a row.
    let (first, second) = (collected() - time::Duration::weeks(1), collected());
    publish(&topic, &not_presented(first, 10)).await;
    until(
        &s,
        "SELECT COUNT(*) FROM bin_lifts WHERE council_id = $1",
        1,
    )
    .await;
    // Then not put out again: the rule fires, once, even when the vehicle
    // reports the bin again that day.
    publish(&topic, &not_presented(second, 10)).await;
    until(&s, FIRINGS, 1).await;
    publish(&topic, &not_presented(second, 12)).await;
    until(
        &s,
        "SELECT COUNT(*) FROM bin_lifts WHERE council_id = $1",
        3,
    )
    .await;
    until(
        &s,
        "SELECT COUNT(*) FROM event_checkpoints k JOIN event_counters c ON c.council_id = k.council_id \
         WHERE k.council_id = $1 AND k.subscriber = 'triggers' AND k.position = c.last",
        1,
    )
    .await;
    assert_eq!(
        s.count("trigger_firings").await,
        1,
        "one episode, one referral"
    );
    let (status, facts): (String, String) =
        sql::query_as("SELECT status, facts FROM trigger_firings WHERE council_id = $1")
            .bind(s.council.id.to_string())
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_eq!(status, "referred");
    for said in [
        "the bin was not put out on",
        ", 70 or over",
        "Adult social care: mobility need is yes",
        "“Health and wellbeing checks by my GP”: the resident gave permission on",
    ] {
        assert!(facts.contains(said), "{said}: {facts}");
    }

    // The practice sees the referral, opens it, accepts it and records the call.
    let amira = partner_client(&s, "amira.patel@rmc.nhs.example").await;
    let list = s.text(&amira, "/partner/referrals").await;
    assert!(list.contains("1</strong> waiting for an answer"), "{list}");
    let id = the_firing(&s).await;
    let page = format!("/partner/referrals/{id}");
    let opened = s.text(&amira, &page).await;
    for said in [
        "The bin was not put out on",
        &person,
        "See their contact details",
        "Will you take this referral on?",
    ] {
        assert!(opened.contains(said), "{said}: {opened}");
    }
    // Declining needs a reason; the referral waits still.
    let r = s
        .submit(
            &amira,
            &page,
            &format!("{page}/answer"),
            &[("decision", "decline"), ("reason", "  ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Say why you are declining the referral"));
    // Text holding a character nobody types (a direction override, a
    // control character from a pasted document) is refused before the
    // form is read, naming the field; the referral waits still.
    for hidden in ["Not ours\u{202E}", "Not ours\u{7}"] {
        let r = s
            .submit(
                &amira,
                &page,
                &format!("{page}/answer"),
                &[("decision", "decline"), ("reason", hidden)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let said = r.text().await.unwrap();
        assert!(
            said.contains("Your answer to 'reason' contains a character that cannot be typed"),
            "{said}"
        );
    }
    assert!(s
        .text(&amira, &page)
        .await
        .contains("Will you take this referral on?"));
    let r = s
        .submit(
            &amira,
            &page,
            &format!("{page}/answer"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Accepted once: a second answer is refused.
    let again = s
        .submit(
            &amira,
            &page,
            &format!("{page}/answer"),
            &[("decision", "decline"), ("reason", "x")],
        )
        .await;
    assert_ne!(again.status(), StatusCode::SEE_OTHER);
    // She reads his phone number through the hub, under the agreement.
    let read = s
        .submit(
            &amira,
            &page,
            &format!("/partner/people/{person}/person"),
            &[("purpose", "gp-wellbeing-checks")],
        )
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    assert!(read.text().await.unwrap().contains("01632 960123"));
    let r = s
        .submit(
            &amira,
            &page,
            &format!("{page}/outcome"),
            &[("outcome", "Called, all well.\r\nFfoniais – popeth yn iawn")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Another organisation sees nothing of it.
    add(
        &s,
        "riverside-homes",
        "sam.carter@riversidehomes.example",
        "Sam Carter",
        PartnerRole::Practitioner,
    )
    .await;
    let sam = partner_client(&s, "sam.carter@riversidehomes.example").await;
    assert_eq!(
        sam.get(s.url(&page)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert!(!s.text(&sam, "/partner/referrals").await.contains(&id));

    // Martin reads what happened, and why, and who looked.
    let dashboard = s.text(&resident, "/dashboard").await;
    for said in [
        "We asked Riverside Medical Centre to get in touch",
        "Because your bin was not put out on",
        "you are 70 or over, and Adult social care",
        "records show your mobility need as yes",
        "You said yes on",
        "to “Health and wellbeing checks by my GP”",
        "What happened: Called, all well.\nFfoniais – popeth yn iawn",
    ] {
        assert!(dashboard.contains(said), "{said}: {dashboard}");
    }
    let looked = s.text(&resident, "/account/access-log").await;
    assert!(
        looked.contains("Dr Amira Patel, Riverside Medical Centre"),
        "{looked}"
    );

    // The data protection officer's dry run over those days finds him...
    let dana = staff_client(&s, "dana@testshire.example").await;
    let rule = "/staff/triggers/bin-not-out-gp-call";
    let fields = period(first - time::Duration::days(1), second);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = s
        .submit(&dana, rule, &format!("{rule}/dry-run"), &fields)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let run = r.text().await.unwrap();
    assert!(
        run.contains("the rule would have referred <strong>1</strong> person"),
        "{run}"
    );
    assert!(run.contains("Martin Hughes"), "{run}");
    // ...and once he withdraws his consent, it says so and finds nobody.
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Withdrawn).await;
    let run = s
        .submit(&dana, rule, &format!("{rule}/dry-run"), &fields)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        run.contains("the rule would have referred <strong>0</strong> people"),
        "{run}"
    );
    assert!(
        run.contains("“Health and wellbeing checks by my GP”: has said no"),
        "{run}"
    );
    assert!(run.contains("not read: no consent"), "{run}");
    assert!(
        !run.contains("Martin Hughes"),
        "nothing more is read of him: {run}"
    );
    assert!(run.contains("A resident who has not said yes"), "{run}");
    evaluating.abort();
}

/// Reports that arrive out of order (the later collection's first) still
/// make the window: the earlier day, arriving late, is evaluated and so is
/// every later day the bin was reported. A resident who then withdraws
/// their consent has the waiting referral taken back.
#[tokio::test]
async fn a_report_arriving_late_completes_its_window_and_a_no_takes_the_referral_back() {
    let s = TestServer::start().await;
    let (resident, user, _) = martin(&s).await;
    let (topic, evaluating) = evaluating(&s).await;
    let (first, second) = (collected() - time::Duration::weeks(1), collected());
    publish(&topic, &not_presented(second, 10)).await;
    until(
        &s,
        "SELECT COUNT(*) FROM bin_lifts WHERE council_id = $1",
        1,
    )
    .await;
    publish(&topic, &not_presented(first, 10)).await;
    until(&s, FIRINGS, 1).await;
    let (days,): (String,) =
        sql::query_as("SELECT days FROM trigger_firings WHERE council_id = $1")
            .bind(s.council.id.to_string())
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_eq!(days, format!(r#"["{first}","{second}"]"#));

    // Martin says no before the practice answers: the referral is taken
    // back, the practice sees nothing of it, and he reads why.
    practice_and_officer(&s).await;
    let amira = partner_client(&s, "amira.patel@rmc.nhs.example").await;
    assert!(s
        .text(&amira, "/partner/referrals")
        .await
        .contains("1</strong> waiting for an answer"));
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Withdrawn).await;
    until(
        &s,
        "SELECT COUNT(*) FROM trigger_firings WHERE council_id = $1 AND status = 'withdrawn'",
        1,
    )
    .await;
    let list = s.text(&amira, "/partner/referrals").await;
    assert!(list.contains("0</strong> waiting for an answer"), "{list}");
    assert!(list.contains("No referrals yet."), "{list}");
    let dashboard = s.text(&resident, "/dashboard").await;
    assert!(
        dashboard.contains(
            "You said no before Riverside Medical Centre answered, so we took the referral back."
        ),
        "{dashboard}"
    );
    evaluating.abort();
}

/// A rule referring to a council team: its consent is to a purpose the
/// resident index gives the team a view for; the team's caseworker works
/// the referral on the staff pages, and nobody else's team sees it.
#[tokio::test]
async fn a_team_works_a_referral_that_no_other_team_sees() {
    let team_rule = r#"version = 1
id = "bin-not-out-housing"
name = "Bin not put out twice: housing support"
live = true

[when]
signal = "bin-not-presented"
times = 2
over = "consecutive-collections"

[[facts]]
fact = "consent"
purpose = "housing-support"

[then]
team = "Housing"
not_again_within_days = 28
"#;
    let s = TestServer::start_with_triggers(&[(
        "bin-not-out-housing.toml".to_owned(),
        team_rule.to_owned(),
    )])
    .await;
    for (email, name, team) in [
        ("hana@testshire.example", "Hana Ali", "Housing"),
        ("tom@testshire.example", "Tom Okafor", "Highways"),
    ] {
        s.add_staff(email, name, Role::Caseworker, Some(team), PASSWORD)
            .await;
    }
    let (resident, user, _) = martin(&s).await;
    choose(
        &s,
        user,
        "housing-support",
        "housing-support",
        Choice::Granted,
    )
    .await;
    let (topic, evaluating) = evaluating(&s).await;
    publish(
        &topic,
        &not_presented(collected() - time::Duration::weeks(1), 10),
    )
    .await;
    publish(&topic, &not_presented(collected(), 10)).await;
    until(&s, FIRINGS, 1).await;
    let id = the_firing(&s).await;

    let hana = staff_client(&s, "hana@testshire.example").await;
    assert!(s
        .text(&hana, "/staff")
        .await
        .contains("Referrals to your team"));
    let list = s.text(&hana, "/staff/referrals").await;
    assert!(list.contains("1</strong> waiting for an answer"), "{list}");
    let page = format!("/staff/referrals/{id}");
    let opened = s.text(&hana, &page).await;
    assert!(opened.contains("The bin was not put out on"), "{opened}");
    assert!(
        !opened.contains("See their contact details"),
        "a partner's way in"
    );
    let r = s
        .submit(
            &hana,
            &page,
            &format!("{page}/answer"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = s
        .submit(
            &hana,
            &page,
            &format!("{page}/outcome"),
            &[("outcome", "Visited; set up a support plan")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Another team's caseworker sees none of it.
    let tom = staff_client(&s, "tom@testshire.example").await;
    assert!(!s.text(&tom, "/staff/referrals").await.contains(&id));
    assert_eq!(
        tom.get(s.url(&page)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Martin reads who was asked, and that the team looked.
    let dashboard = s.text(&resident, "/dashboard").await;
    assert!(
        dashboard.contains("We asked Housing to get in touch"),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("What happened: Visited; set up a support plan"),
        "{dashboard}"
    );
    let looked = s.text(&resident, "/account/access-log").await;
    assert!(looked.contains("Hana Ali"), "{looked}");
    evaluating.abort();
}

/// Martin's story in a browser, every page checked with axe-core: he signs
/// in, adds a passkey and signs in with it, and ticks GP wellbeing checks;
/// his bin is reported not put out twice; the data protection officer
/// looks at the rule and makes a dry run (its mistakes first); the practice
/// declines without a reason (refused), accepts and records the call; and
/// Martin, back, reads it on his dashboard.
#[tokio::test]
async fn martins_story_in_a_browser_with_a_passkey_every_page_accessible() {
    let s = TestServer::start().await;
    practice_and_officer(&s).await;
    residents::add(
        &s,
        &[Resident {
            email: "martin@mail.example",
            name: ("Martin", "Hughes"),
            born: "1951-03-14",
            home: Some(HOME_IN_ZONE),
            mobility_need: Some("yes"),
            gp_checks: false,
            password: Some("kettle river jumper"),
        }],
    )
    .await;
    let b = Browser::start().await;
    b.add_virtual_authenticator().await;
    b.visit(&s.url("/sign-in")).await;
    b.fill("email", "martin@mail.example").await;
    b.fill("password", "kettle river jumper").await;
    b.click("form[action='/sign-in'] button[type=submit]").await;
    b.wait_for_path("/dashboard").await;
    b.visit(&s.url("/account")).await;
    b.click("#passkey-register button").await;
    b.wait_for_text(".notification-banner", "Passkey added")
        .await;
    b.click("header form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;
    b.visit(&s.url("/sign-in")).await;
    b.click("#passkey-sign-in").await;
    b.wait_for_path("/dashboard").await;
    b.visit(&s.url("/account/consent")).await;
    b.click("#gp-wellbeing-checks--gp").await;
    b.click("form[action='/account/consent'] button").await;
    until(
        &s,
        "SELECT COUNT(*) FROM consent_records WHERE council_id = $1 AND decision = 'granted'",
        1,
    )
    .await;
    b.check_accessibility().await;
    b.click("header form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;

    let (topic, evaluating) = evaluating(&s).await;
    let (first, second) = not_put_out_twice(&s, &topic).await;
    let id = the_firing(&s).await;

    let b = Browser::start().await;
    b.visit(&s.url("/staff/sign-in")).await;
    b.fill("email", "dana@testshire.example").await;
    b.fill("password", PASSWORD).await;
    b.click("form[action='/staff/sign-in'] button[type=submit]")
        .await;
    b.wait_for_path("/staff").await;
    b.check_accessibility().await;
    b.visit(&s.url("/staff/triggers")).await;
    let rule = "/staff/triggers/bin-not-out-gp-call";
    b.visit(&s.url(rule)).await;
    b.click(&format!("form[action='{rule}/dry-run'] button"))
        .await;
    b.wait_for_text(".error-summary", "Enter the first day")
        .await;
    b.check_accessibility().await;
    for (field, day) in [("from", first), ("to", second)] {
        b.fill(&format!("{field}-day"), &day.day().to_string())
            .await;
        b.fill(
            &format!("{field}-month"),
            &u8::from(day.month()).to_string(),
        )
        .await;
        b.fill(&format!("{field}-year"), &day.year().to_string())
            .await;
    }
    b.click(&format!("form[action='{rule}/dry-run'] button"))
        .await;
    b.wait_for_text("#dry-run-title", "Dry run").await;
    b.check_accessibility().await;
    b.click("header form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;

    b.visit(&s.url("/partner/sign-in")).await;
    b.fill("email", "amira.patel@rmc.nhs.example").await;
    b.fill("password", PASSWORD).await;
    b.click("form[action='/partner/sign-in'] button[type=submit]")
        .await;
    b.wait_for_path("/partner").await;
    b.visit(&s.url("/partner/referrals")).await;
    let page = format!("/partner/referrals/{id}");
    b.visit(&s.url(&page)).await;
    b.click("#decision-decline").await;
    b.click(&format!("form[action='{page}/answer'] button"))
        .await;
    b.wait_for_text(".error-summary", "Say why you are declining the referral")
        .await;
    b.check_accessibility().await;
    b.click("#decision").await;
    b.click(&format!("form[action='{page}/answer'] button"))
        .await;
    b.wait_for_text("h2", "What happened?").await;
    b.check_accessibility().await;
    b.fill("outcome", "Called, all well").await;
    b.click(&format!("form[action='{page}/outcome'] button"))
        .await;
    b.wait_for_text("dl", "Called, all well").await;
    b.check_accessibility().await;
    b.click("header form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;

    b.visit(&s.url("/sign-in")).await;
    b.fill("email", "martin@mail.example").await;
    b.fill("password", "kettle river jumper").await;
    b.click("form[action='/sign-in'] button[type=submit]").await;
    b.wait_for_path("/dashboard").await;
    b.wait_for_text("body", "Help we asked for you").await;
    b.wait_for_text("body", "What happened: Called, all well")
        .await;
    b.check_accessibility().await;
    b.close().await;
    evaluating.abort();
}
