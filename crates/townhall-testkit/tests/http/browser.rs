//! Pages in a real headless Chromium: sign up, add a passkey with a virtual
//! authenticator, sign out, sign back in with it; axe-core on every page.

use townhall_identity::Role;
use townhall_testkit::browser::Browser;
use townhall_testkit::TestServer;

use crate::accounts::link_for;

const EMAIL: &str = "leila.ahmed@mail.example";
const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn passkey_journey_and_every_page_is_accessible() {
    let s = TestServer::start().await;
    let b = Browser::start().await;
    b.add_virtual_authenticator().await;

    for path in [
        "/",
        "/accessibility",
        "/privacy",
        "/no-such-page",
        "/forgot-password",
        "/reset-password?token=not-a-token",
        "/services",
        "/services/apply-parking-permit",
        "/services/apply-parking-permit/rules",
        "/services/report-speeding/rules",
        "/services/report-speeding/start",
        "/services/report-graffiti/start",
        "/data-sharing",
        "/data-sharing/gp-wellbeing-checks",
    ] {
        b.visit(&s.url(path)).await;
    }

    // Report a missed bin as a guest: mistakes first, then the address by
    // postcode, then check your answers and the confirmation.
    b.visit(&s.url("/services/report-missed-bin/start")).await;
    // Date boxes as wide as what goes in them: 2, 2 and 4 characters.
    let widths = b
        .client
        .execute(
            "return ['day', 'month', 'year'].map(p =>
                 document.getElementsByName('collection-date-' + p)[0].getBoundingClientRect().width)",
            vec![],
        )
        .await
        .unwrap();
    let widths: Vec<f64> = serde_json::from_value(widths).unwrap();
    assert!(widths[0] < 80.0 && widths[1] < 80.0, "{widths:?}");
    assert!(widths[2] > widths[0] && widths[2] < 120.0, "{widths:?}");
    b.click(
        "form[action='/services/report-missed-bin/answers'] button.button:not(.button--secondary)",
    )
    .await;
    b.wait_for_text(".error-summary", "Select which bin was missed")
        .await;
    b.check_accessibility().await;
    b.fill("address-postcode", "TE1 1AA").await;
    b.click("button[value='find-address']").await;
    b.wait_for_text("label[for='address-uprn']", "Choose the address")
        .await;
    b.check_accessibility().await;
    b.select("address-uprn", townhall_testkit::HOME_IN_ZONE)
        .await;
    b.click("#bin").await;
    let [day, month, year] = townhall_testkit::collected_typed();
    b.fill("collection-date-day", &day).await;
    b.fill("collection-date-month", &month).await;
    b.fill("collection-date-year", &year).await;
    b.click("#presented").await;
    b.click(
        "form[action='/services/report-missed-bin/answers'] button.button:not(.button--secondary)",
    )
    .await;
    b.wait_for_text("h1", "Check your answers before sending")
        .await;
    b.check_accessibility().await;
    b.click("form[action='/services/report-missed-bin/submit'] button")
        .await;
    b.wait_for_path("/services/report-missed-bin/sent/TES-000001")
        .await;
    b.check_accessibility().await;

    // Sign up, with a mistake first.
    b.visit(&s.url("/sign-up")).await;
    b.click("form[action='/sign-up'] button").await;
    b.wait_for_text(".error-summary", "There is a problem")
        .await;
    b.check_accessibility().await;
    b.fill("given_name", "Leila").await;
    b.fill("family_name", "Ahmed").await;
    b.fill("email", EMAIL).await;
    b.click("form[action='/sign-up'] button").await;
    b.wait_for_path("/sign-up/check-email").await;
    b.check_accessibility().await;
    b.visit(&s.url("/dev/mailbox")).await;
    // The emailed link: choose a password, which finishes the account.
    b.visit(&link_for(&s, EMAIL).await).await;
    b.fill("password", PASSWORD).await;
    b.click("form[action='/verify-email'] button").await;
    b.wait_for_text("h1", "Your account is ready").await;
    b.check_accessibility().await;

    // Sign in with the password, then look round the account.
    b.visit(&s.url("/sign-in")).await;
    b.fill("email", EMAIL).await;
    b.fill("password", "not the password").await;
    b.click("form[action='/sign-in'] button[type=submit]").await;
    b.wait_for_text(".error-summary", "There is a problem")
        .await;
    b.check_accessibility().await;
    b.fill("password", PASSWORD).await;
    b.click("form[action='/sign-in'] button[type=submit]").await;
    b.wait_for_path("/dashboard").await;
    b.check_accessibility().await;
    for path in [
        "/account/consent",
        "/account/consent/gp-wellbeing-checks",
        "/account/access-log",
        "/account",
    ] {
        b.visit(&s.url(path)).await;
    }
    assert!(b
        .text("main")
        .await
        .contains("You have not added a passkey"));

    // Add a passkey: the virtual authenticator stands in for a fingerprint.
    b.click("#passkey-register button").await;
    b.wait_for_text(".notification-banner", "Passkey added")
        .await;
    assert!(b.text("main table").await.contains("Not yet"));
    b.check_accessibility().await;
    assert_eq!(s.count("passkeys").await, 1);
    s.deliver().await;
    let told = s.mailbox(50).await;
    assert!(
        told.iter()
            .any(|m| m.recipient == EMAIL && m.subject.contains("A passkey was added")),
        "its owner is told"
    );

    // Sign out, then back in with the passkey alone: no email address, the
    // browser offers the passkey it keeps for this site.
    b.click("header form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;
    b.visit(&s.url("/sign-in")).await;
    b.click("#passkey-sign-in").await;
    b.wait_for_path("/dashboard").await;
    b.visit(&s.url("/account")).await;
    assert!(
        !b.text("main table").await.contains("Not yet"),
        "last use recorded"
    );

    // Apply for a parking permit: the address by postcode, check, pay, confirmation.
    b.visit(&s.url("/services/apply-parking-permit/start"))
        .await;
    b.fill("address-postcode", "TE1 1AA").await;
    b.click("button[value='find-address']").await;
    b.wait_for_text("label[for='address-uprn']", "Choose the address")
        .await;
    b.select("address-uprn", townhall_testkit::HOME_IN_ZONE)
        .await;
    b.fill("registration", "AB12 CDE").await;
    b.fill("make", "Ford Fiesta").await;
    b.click("#keeper").await;
    b.click("form[action='/services/apply-parking-permit/answers'] button.button:not(.button--secondary)").await;
    b.wait_for_text("h1", "Check your answers before sending")
        .await;
    b.check_accessibility().await;
    b.click("form[action='/services/apply-parking-permit/submit'] button")
        .await;
    b.wait_for_text("h1", "Confirm your payment").await;
    b.check_accessibility().await;
    b.click("button[value='pay']").await;
    b.wait_for_path("/requests/TES-000002").await;
    assert!(b.text("main").await.contains("TES-000002"));
    b.check_accessibility().await;

    // A passkey removed from the account but still on the device says what
    // to do, next to the button.
    b.visit(&s.url("/account")).await;
    b.click("main form[action$='/remove'] button").await;
    b.wait_for_text(".notification-banner", "removed").await;
    assert_eq!(s.count("passkeys").await, 0);
    b.click("header form[action='/sign-out'] button").await;
    b.wait_for_path("/").await;
    b.visit(&s.url("/sign-in")).await;
    b.click("#passkey-sign-in").await;
    b.wait_for_text("#passkey-sign-in-error", "not one this site knows")
        .await;
    b.check_accessibility().await;

    // Staff pages.
    s.add_staff(
        "sam.okafor@testshire.example",
        "Sam Okafor",
        Role::Caseworker,
        Some("Waste and Recycling"),
        "staff password 123",
    )
    .await;
    b.visit(&s.url("/staff/sign-in")).await;
    b.fill("email", "sam.okafor@testshire.example").await;
    b.fill("password", "staff password 123").await;
    b.click("form[action='/staff/sign-in'] button[type=submit]")
        .await;
    b.wait_for_path("/staff").await;
    b.check_accessibility().await;
    let (resident,): (String,) =
        townhall_store::sql::query_as("SELECT user_id FROM users WHERE email = $1")
            .bind(EMAIL)
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    b.visit(&s.url(&format!("/staff/residents/{resident}")))
        .await;
    b.visit(&s.url("/staff/residents?name=parker&dob-day=31&dob-month=2&dob-year=1984"))
        .await;
    // The guest's missed bin is in the team's queue; work it.
    b.visit(&s.url("/staff")).await;
    b.click("a[href='/staff/cases/TES-000001']").await;
    b.wait_for_path("/staff/cases/TES-000001").await;
    b.check_accessibility().await;
    b.fill("update", "The crew will come back tomorrow.").await;
    b.click("form[action='/staff/cases/TES-000001/status'] button")
        .await;
    b.wait_for_text(".notification-banner", "Status changed")
        .await;
    b.check_accessibility().await;
    // The sensor network: a full litter bin on the map and in its table.
    crate::sensors::register_devices(&s).await;
    crate::sensors::take(
        &s,
        r#"[{"n":"urn:dev:litter-bin:T-1:fill","u":"%","v":90,"t":-60}]"#,
    )
    .await;
    b.visit(&s.url("/staff/sensors")).await;
    b.check_accessibility().await;
    b.visit(&s.url("/staff/sensors/litter-bin")).await;
    b.check_accessibility().await;
    b.close().await;
}

#[tokio::test]
async fn a_missed_bin_is_reported_with_the_keyboard_alone() {
    use fantoccini::key::Key;
    let s = TestServer::start().await;
    let b = Browser::start().await;
    b.visit(&s.url("/services/report-missed-bin/start")).await;
    b.tab_to("[name='address-postcode']").await;
    b.type_keys("te1 1aa").await;
    b.tab_to("button[value='find-address']").await;
    b.press(Key::Enter).await;
    b.wait_for_text("label[for='address-uprn']", "Choose the address")
        .await;
    b.tab_to("select[name='address-uprn']").await;
    b.press(Key::Down).await;
    b.tab_to("#bin").await;
    b.press(Key::Space).await;
    let typed = townhall_testkit::collected_typed();
    for (part, value) in ["day", "month", "year"].into_iter().zip(&typed) {
        b.tab_to(&format!("[name='collection-date-{part}']")).await;
        b.type_keys(value).await;
    }
    b.tab_to("#presented").await;
    b.press(Key::Space).await;
    b.tab_to(
        "form[action='/services/report-missed-bin/answers'] button.button:not(.button--secondary)",
    )
    .await;
    b.press(Key::Enter).await;
    b.wait_for_text("h1", "Check your answers before sending")
        .await;
    b.tab_to("form[action='/services/report-missed-bin/submit'] button")
        .await;
    b.press(Key::Enter).await;
    b.wait_for_text("h1", "sent").await;
    b.check_accessibility().await;
    b.close().await;
}
