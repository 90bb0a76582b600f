//! Properties that hold for any pair of people: the comparison of a pair does
//! not depend on which record comes first, an explanation always sums to
//! the score it explains, and the quick bound on Jaro–Winkler never rules
//! out a pair that reaches the threshold.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use townhall_linkage::compare::{jaro_winkler, jaro_winkler_could_reach, Letters};
use townhall_linkage::comparison::people;
use townhall_linkage::frequency::TermFrequencies;
use townhall_linkage::model::Model;
use townhall_linkage::record::{Person, RawPerson};

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(vec![
            "William",
            "Bill",
            "Will",
            "Elizabeth",
            "Liz",
            "Smith",
            "Smyth",
            "Schmidt",
            "O'Brien",
            "Obrien",
            "Zoë",
            "Zoe",
            "Catherine",
            "Kathryn",
        ])
        .prop_map(str::to_owned),
        "[A-Za-z' -]{1,12}",
    ]
}

fn raw() -> impl Strategy<Value = RawPerson> {
    (
        name(),
        name(),
        prop_oneof![
            Just(String::new()),
            "19[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
        ],
        prop_oneof![Just(String::new()), "(RV|TE)[1-9] [0-9][A-Z]{2}"],
        prop_oneof![
            Just(String::new()),
            "[0-9]{1,3} (High|Mill|Church) (St|Street|Road|Rd)"
        ],
        prop_oneof![Just(String::new()), "(Riverside|Northgate|Mill Town)"],
        prop_oneof![Just(String::new()), "[a-c]{1,3}@(mail|post)\\.example"],
        prop_oneof![Just(String::new()), "0[1-7][0-9]{9}"],
    )
        .prop_map(
            |(first_name, surname, date_of_birth, postcode, address, town, email, phone)| {
                RawPerson {
                    first_name,
                    surname,
                    date_of_birth,
                    postcode,
                    address,
                    town,
                    email,
                    phone,
                    extra: Vec::new(),
                }
            },
        )
}

proptest! {
    #[test]
    fn comparing_a_pair_does_not_depend_on_its_order(a in raw(), b in raw()) {
        let model = Model::new(people());
        let (a, b) = (Person::prepare(&a), Person::prepare(&b));
        let tf = TermFrequencies::of(&[a.clone(), b.clone()]);
        prop_assert_eq!(model.vector(&a, &b), model.vector(&b, &a));
        prop_assert!((model.score_pair(&a, &b, &tf) - model.score_pair(&b, &a, &tf)).abs() < 1e-9);
    }

    #[test]
    fn an_explanation_sums_to_its_score(a in raw(), b in raw()) {
        let model = Model::new(people());
        let (a, b) = (Person::prepare(&a), Person::prepare(&b));
        let tf = TermFrequencies::of(&[a.clone(), b.clone(), Person::default()]);
        let e = model.explain(&a, &b, &tf);
        let sum = e.prior + e.terms.iter().map(|t| t.weight).sum::<f64>();
        prop_assert!((sum - e.score).abs() < 1e-9);
        prop_assert!((0.0..=1.0).contains(&e.probability));
    }

    #[test]
    fn the_jaro_winkler_bound_rules_out_only_pairs_below_it(
        a in "[a-e.@]{0,20}|[a-z]{1,8}|[a-zé]{1,6}",
        b in "[a-e.@]{0,20}|[a-z]{1,8}|[a-zé]{1,6}",
        min in 0.0f64..1.0,
    ) {
        let (la, lb) = (Letters::of(&a), Letters::of(&b));
        if jaro_winkler(&a, &b) >= min {
            prop_assert!(jaro_winkler_could_reach((&a, &la), (&b, &lb), min));
        }
    }

    #[test]
    fn a_record_agrees_with_itself_wherever_it_has_a_value(a in raw()) {
        let model = Model::new(people());
        let p = Person::prepare(&a);
        for (c, level) in model.comparisons.iter().zip(model.vector(&p, &p)) {
            if let Some(level) = level {
                // The best level, or the best the values present allow: for a
                // postcode without an address line, the same postcode; for an
                // address line and town without a postcode, those two; for a
                // line alone, the same line.
                let label = c.level_label(level);
                prop_assert!(
                    level == 0
                        || label == "exact match"
                        || label.ends_with("same town")
                        || label == "at least 100% of words shared",
                    "{label}"
                );
            }
        }
    }
}
