//! The data-exchange hub's partners and their keys, on whichever backend
//! the tests run against.

use townhall_exchange::partners::{self, Partner, PartnerError, PartnerKind};
use townhall_testkit::TestStore;
use townhall_types::{EmailAddress, Timestamp};

fn surgery(id: &str) -> Partner {
    Partner {
        id: id.to_owned(),
        name: "Riverside Medical Centre".to_owned(),
        kind: PartnerKind::GpPractice,
        code: Some("Y01234".to_owned()),
        contact: EmailAddress::parse("practice.manager@rmc.nhs.example").unwrap(),
        dpo: EmailAddress::parse("dpo@rmc.nhs.example").unwrap(),
    }
}

/// 32 bytes of an Ed25519 public key, in base64.
const KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

#[tokio::test]
async fn partners_are_registered_once_each_with_their_keys_in_time() {
    let db = TestStore::new().await;
    let council =
        townhall_places::register_council(&db.store, "riverside", "Riverside Borough Council")
            .await
            .unwrap()
            .id;
    partners::register(&db.store, council, &surgery("riverside-medical-centre"))
        .await
        .unwrap();
    let again = partners::register(&db.store, council, &surgery("riverside-medical-centre")).await;
    assert!(matches!(again, Err(PartnerError::BadId(_))), "{again:?}");
    let bad = Partner {
        code: Some("y0 1234".to_owned()),
        ..surgery("another-practice")
    };
    assert_eq!(
        partners::register(&db.store, council, &bad).await.unwrap_err().to_string(),
        "the organisation code 'y0 1234' must be 1 to 12 capital letters and digits (an NHS ODS code, for example)"
    );
    // Names as they are pasted: a Welsh practice with a manual line break
    // from a word processor is kept on one line; a control character is refused.
    let pasted = Partner {
        name: "Meddygfa\u{0B}Glan-yr-Afon\t(Ŵyr)".to_owned(),
        code: None,
        ..surgery("meddygfa-glan-yr-afon")
    };
    partners::register(&db.store, council, &pasted)
        .await
        .unwrap();
    let bell = Partner {
        name: "Riverside\u{7}Surgery".to_owned(),
        ..surgery("bell-surgery")
    };
    assert!(matches!(
        partners::register(&db.store, council, &bell).await,
        Err(PartnerError::BadName)
    ));
    let listed = partners::list(&db.store, council).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Meddygfa Glan-yr-Afon (Ŵyr)", "Riverside Medical Centre"]
    );

    let from = Timestamp::parse("2027-01-01T00:00:00Z").unwrap();
    let until = Timestamp::parse("2027-06-01T00:00:00Z").unwrap();
    partners::add_key(
        &db.store,
        council,
        "riverside-medical-centre",
        "rmc-2027",
        KEY,
        (from, Some(until)),
    )
    .await
    .unwrap();
    let key = partners::key(&db.store, council, "rmc-2027")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key.partner, "riverside-medical-centre");
    assert!(!key.valid_at(Timestamp::parse("2026-12-31T23:59:59Z").unwrap()));
    assert!(key.valid_at(from));
    assert!(!key.valid_at(until), "a replaced key stops at its end");
    assert!(partners::key(&db.store, council, "nobody")
        .await
        .unwrap()
        .is_none());

    for (partner, key_id, public, refused) in [
        (
            "riverside-police",
            "police-1",
            KEY,
            "there is no partner 'riverside-police'",
        ),
        (
            "riverside-medical-centre",
            "rmc-2027",
            KEY,
            "the key id 'rmc-2027' must be new",
        ),
        (
            "riverside-medical-centre",
            "rmc-short",
            "AAAA",
            "a public key must be 32 bytes of Ed25519, in base64",
        ),
    ] {
        let e = partners::add_key(&db.store, council, partner, key_id, public, (from, None))
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with(refused), "{e}");
    }
}
