//! The council's services and their published rules, as people and machines read them.

use reqwest::StatusCode;
use townhall_testkit::TestServer;

#[tokio::test]
async fn services_are_listed_and_their_rules_published_readably_and_as_json() {
    let s = TestServer::start().await;
    let c = s.client();

    let list = s.text(&c, "/services").await;
    for (group, name) in [
        ("Bins and recycling", "Book a bulky waste collection"),
        ("Roads and pavements", "Report speeding traffic"),
        ("Streets and cleaning", "Report fly-tipping"),
        ("Parking", "Apply for a resident parking permit"),
    ] {
        assert!(list.contains(&format!("<h2>{group}</h2>")), "{group}");
        assert!(list.contains(name), "{name}");
    }

    let about = s.text(&c, "/services/apply-parking-permit").await;
    assert!(about.contains("£60.00 (Resident parking permit, 12 months)"));
    assert!(about.contains("Residents with an account"));
    let rules = s.text(&c, "/services/apply-parking-permit/rules").await;
    assert!(rules.contains("Only one open request or valid permit for each registration number."));
    assert!(rules.contains("The address must be in a controlled parking zone."));

    let rules = s.text(&c, "/services/report-speeding/rules").await;
    assert!(
        rules.contains("If the place is in a parish → <strong>the parish's Clerk</strong>"),
        "{rules}"
    );
    assert!(rules.contains(
        "If the answer to ‘Is it near a school?’ is ‘Yes’ → <strong>Road Safety</strong>"
    ));
    assert!(rules.contains("Every other request → <strong>Highways</strong>"));
    assert!(rules.contains("within 200 metres in the last 60 days"));

    let r = c
        .get(s.url("/services/apply-parking-permit/rules.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!(json["id"], "apply-parking-permit");
    assert_eq!(json["fee"]["amount_pence"], 6000);
    assert_eq!(json["deadline"], "5 working days");
    assert_eq!(json["eligibility"][1]["rule"], "in-zone");
    assert_eq!(json["eligibility"][2]["answer"], "registration");
    assert_eq!(json["permit"]["issued_at"], "issued");
    assert_eq!(json["routing"][0]["team"], "Parking");
    assert_eq!(json["workflow"]["statuses"][0]["id"], "received");

    let r = c
        .get(s.url("/services/report-nothing/rules"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Page not found"));
}
