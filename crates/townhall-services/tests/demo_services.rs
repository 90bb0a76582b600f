//! The demo council's service files: they load, and their routing sends each
//! ward, parish and answer combination where the files say.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use townhall_places::{AreaKind, AreaRef, Whereabouts};
use townhall_services::routing::route;
use townhall_services::{Answer, Answers, Catalogue, KnownAreas, Service};

/// The demo council's areas: 12 wards, 3 parishes, 2 parking zones.
struct Demo;

impl KnownAreas for Demo {
    fn has(&self, kind: AreaKind, code: &str) -> bool {
        let n: usize = code[1..].parse().unwrap_or(0);
        match kind {
            AreaKind::Ward => code.starts_with('W') && (1..=12).contains(&n),
            AreaKind::Parish => code.starts_with('P') && (1..=3).contains(&n),
            AreaKind::Zone => ["ZA", "ZB"].contains(&code),
        }
    }
}

fn catalogue() -> Catalogue {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/services");
    Catalogue::load_dir(&dir, &Demo).unwrap()
}

fn at(ward: &str, parish: Option<(&str, &str)>) -> Whereabouts {
    Whereabouts {
        ward: Some(AreaRef {
            code: ward.into(),
            name: format!("Ward {ward}"),
        }),
        parish: parish.map(|(code, name)| AreaRef {
            code: code.into(),
            name: name.into(),
        }),
        zones: vec![],
    }
}

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn team(s: &Service, a: &Answers, w: &Whereabouts) -> String {
    route(&s.routing, a, w)
        .expect("the last rule catches all")
        .team
}

#[test]
fn every_demo_service_loads() {
    let c = catalogue();
    let ids: Vec<&str> = c.all().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "apply-parking-permit",
            "book-bulky-waste",
            "report-fly-tipping",
            "report-full-litter-bin",
            "report-graffiti",
            "report-missed-bin",
            "report-pothole",
            "report-speeding",
            "request-bin",
        ]
    );
    let permit = c.get("apply-parking-permit").unwrap();
    assert_eq!(permit.fee.as_ref().unwrap().display(), "£60.00");
    assert_eq!(permit.permit.as_ref().unwrap().valid_for_days, 365);
    assert_eq!(
        c.get("report-pothole").unwrap().deadline.to_string(),
        "5 working days"
    );
}

#[test]
fn speeding_goes_to_the_parish_clerk_where_there_is_one_otherwise_highways() {
    let c = catalogue();
    let s = c.get("report-speeding").unwrap();
    let parishes = [
        ("P01", "Northgate Parish"),
        ("P02", "Kingsmead Parish"),
        ("P03", "Fenwick Parish"),
    ];
    for ward in (1..=12).map(|n| format!("W{n:02}")) {
        for near_school in [true, false] {
            let a = answers(&[("near-school", Answer::YesNo(near_school))]);
            for (code, name) in parishes {
                let r = route(&s.routing, &a, &at(&ward, Some((code, name)))).unwrap();
                assert_eq!(r.team, format!("{name} Clerk"));
                assert_eq!(
                    r.reason,
                    format!("rule 1: the location is in {name} ({code})")
                );
            }
            let unparished = team(s, &a, &at(&ward, None));
            let expected = if near_school {
                "Road Safety"
            } else {
                "Highways"
            };
            assert_eq!(
                unparished, expected,
                "ward {ward}, near a school: {near_school}"
            );
        }
    }
}

#[test]
fn hazardous_fly_tipping_and_offensive_graffiti_go_to_their_specialists() {
    let c = catalogue();
    let fly = c.get("report-fly-tipping").unwrap();
    let graffiti = c.get("report-graffiti").unwrap();
    let w = at("W05", None);
    let what = |v: &[&str]| {
        answers(&[(
            "what",
            Answer::Choices(v.iter().map(|s| (*s).to_owned()).collect()),
        )])
    };
    assert_eq!(
        team(fly, &what(&["bags", "hazardous"]), &w),
        "Environmental Health"
    );
    assert_eq!(team(fly, &what(&["bags", "furniture"]), &w), "Street Scene");
    let offensive = |yes| answers(&[("offensive", Answer::YesNo(yes))]);
    assert_eq!(
        team(graffiti, &offensive(true), &w),
        "Street Scene Rapid Response"
    );
    assert_eq!(team(graffiti, &offensive(false), &w), "Street Scene");
    for id in [
        "report-pothole",
        "report-missed-bin",
        "request-bin",
        "book-bulky-waste",
        "apply-parking-permit",
    ] {
        let s = c.get(id).unwrap();
        let r = route(&s.routing, &Answers::new(), &w).unwrap();
        assert_eq!(r.reason, "rule 1: every other case", "{id}");
    }
}
