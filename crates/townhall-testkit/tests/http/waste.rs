//! Waste collections: a resident's next collection of each bin on their
//! dashboard, from the council's rounds.

use time::Duration;
use townhall_identity::profiles;
use townhall_testkit::{TestServer, HOME_IN_ZONE};
use townhall_types::{day, EmailAddress, Timestamp};

use crate::accounts::{sign_in, sign_up};

#[tokio::test]
async fn a_resident_sees_their_next_collections_on_their_dashboard() {
    let s = TestServer::start().await;
    let c = s.client();
    sign_up(&s, &c, "martin@mail.example", "kettle river jumper").await;
    sign_in(&s, &c, "martin@mail.example", "kettle river jumper").await;
    let dashboard = s.text(&c, "/dashboard").await;
    assert!(
        dashboard.contains("<h2>Your bin collections</h2>"),
        "{dashboard}"
    );
    assert!(
        dashboard
            .contains("Your collection days are shown here once the council knows your address."),
        "{dashboard}"
    );

    // His home is 1 High Street, in ward W01.
    let user = townhall_identity::accounts::find_by_email(
        &s.db.store,
        s.council.id,
        townhall_identity::UserKind::Resident,
        &EmailAddress::parse("martin@mail.example").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let mut profile = profiles::read_own(&s.db.store, s.council.id, user.id)
        .await
        .unwrap()
        .unwrap_or_default();
    profile.uprn = Some(HOME_IN_ZONE.to_owned());
    let mut tx = s.db.store.begin().await.unwrap();
    profiles::save(&mut tx, s.council.id, user.id, &profile)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // General waste every week, last collected yesterday; recycling every
    // other Tuesday from 6 January 2026: today, if it is one.
    let today = Timestamp::now().uk_date();
    let general = townhall_testkit::collected() + Duration::days(7);
    let mut tuesday = time::macros::date!(2026 - 01 - 06);
    while tuesday < today {
        tuesday += Duration::days(14);
    }
    let dashboard = s.text(&c, "/dashboard").await;
    for (bin, description, on) in [
        ("General waste", "grey 240 litre bin", general),
        ("Mixed recycling", "blue 240 litre bin", tuesday),
    ] {
        let row = format!(
            "<dt>{bin}<span class=\"hint\"> ({description})</span></dt><dd>{}</dd>",
            day::with_weekday(on)
        );
        assert!(dashboard.contains(&row), "{row}: {dashboard}");
    }
    assert!(dashboard.contains("Put your bins out by 7am on the day."));
}
