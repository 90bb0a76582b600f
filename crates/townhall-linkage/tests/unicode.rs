//! Whatever text a field holds, in any script, with combining marks,
//! right-to-left marks, emoji, nothing at all or ten thousand characters,
//! preparing, comparing, scoring, explaining, blocking and linking it
//! finish without a panic, and every normalised value is plain ASCII (what
//! the sound and byte comparisons after it assume).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use townhall_linkage::blocking::{self, KeyPart, Mode, Rule};
use townhall_linkage::column::{Column, Kind};
use townhall_linkage::compare::sound;
use townhall_linkage::comparison::{people, Comparison, Test};
use townhall_linkage::frequency::TermFrequencies;
use townhall_linkage::index::Index;
use townhall_linkage::link::{link, Settings};
use townhall_linkage::model::Model;
use townhall_linkage::normalise;
use townhall_linkage::record::{Person, RawPerson};

/// Characters seen in real names and in the faults of real exports.
const AWKWARD: &[char] = &[
    'ł',
    'Ł',
    'ą',
    'ę',
    'ś',
    'ż',
    'ź',
    'ć',
    'ń',
    'ó',
    'ß',
    'ø',
    'Ø',
    'æ',
    'œ',
    'ð',
    'þ',
    'ı',
    'İ',
    'ğ',
    'ş',
    'Ə',
    'ə',
    'ŋ',
    'đ',
    'ħ',
    '\u{301}',
    '\u{308}',
    '\u{327}',
    '\u{200d}',
    '\u{200f}',
    '\u{202e}',
    '\u{feff}',
    '\u{fffd}',
    'ا',
    'ب',
    'ع',
    'ש',
    'ל',
    'ו',
    'म',
    'ह',
    '्',
    'ন',
    'ਸ',
    'ਿ',
    '王',
    '李',
    'Ж',
    'щ',
    'Ω',
    'ﬁ',
    'Ⅻ',
    '①',
    '😀',
    '👩',
    '\u{1f3fd}',
    '🇬',
    '🇧',
    '\0',
    '\t',
    '\n',
    '\r',
    '"',
    '\'',
    ',',
    ' ',
    '-',
    '.',
    '/',
    '@',
    '+',
    '0',
    '9',
    'a',
    'Z',
];

/// Any text: arbitrary Unicode, awkward characters in any order, plain
/// letters with marks between them, or very long values.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        any::<String>(),
        prop::collection::vec(prop::sample::select(AWKWARD), 0..24)
            .prop_map(|cs| cs.into_iter().collect()),
        "[a-zA-Z\u{300}-\u{36f}]{0,16}",
        (prop::sample::select(AWKWARD), 1usize..3).prop_map(|(c, n)| std::iter::repeat_n(
            c,
            n * 5_000
        )
        .collect()),
        Just("Michał".repeat(1_700)),
    ]
}

/// A column of every kind, compared at every level that applies to it.
fn columns() -> (Vec<Column>, Vec<Comparison>) {
    let columns: Vec<Column> = Kind::ALL
        .iter()
        .map(|k| Column {
            name: format!("{k:?}").to_lowercase(),
            kind: *k,
        })
        .collect();
    let tests = vec![
        Test::Exact,
        Test::DamerauLevenshtein(1),
        Test::DamerauLevenshtein(2),
        Test::JaroWinkler(0.9),
        Test::SameInitial,
        Test::DateTransposed,
        Test::DateOneTypo,
        Test::DateSameMonth,
        Test::Within(1.5),
    ];
    let comparisons = (0u8..)
        .zip(&columns)
        .map(|(at, c)| Comparison::of_column(at, c.clone(), tests.clone()))
        .collect();
    (columns, comparisons)
}

fn with_columns() -> (Vec<Column>, Model) {
    let (columns, extra) = columns();
    let mut comparisons = people();
    comparisons.extend(extra);
    (columns, Model::new(comparisons))
}

fn any_person() -> impl Strategy<Value = RawPerson> {
    prop::collection::vec(any_text(), 17).prop_map(|mut v| RawPerson {
        extra: v.split_off(8),
        phone: v.pop().unwrap_or_default(),
        email: v.pop().unwrap_or_default(),
        town: v.pop().unwrap_or_default(),
        address: v.pop().unwrap_or_default(),
        postcode: v.pop().unwrap_or_default(),
        date_of_birth: v.pop().unwrap_or_default(),
        surname: v.pop().unwrap_or_default(),
        first_name: v.pop().unwrap_or_default(),
    })
}

fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_normaliser_is_total_and_gives_plain_ascii(s in any_text()) {
        prop_assert!(plain(&normalise::text(&s)), "{:?}", normalise::text(&s));
        prop_assert!(plain(&normalise::name(&s)), "{:?}", normalise::name(&s));
        for token in normalise::address(&s) {
            prop_assert!(plain(&token) && !token.is_empty());
        }
        let code = sound(&s);
        prop_assert!(code.primary.as_str().is_ascii() && code.alternate.as_str().is_ascii());
        if let Some(p) = normalise::postcode(&s) {
            prop_assert!(p.unit.is_ascii());
        }
        let _ = (normalise::date(&s), normalise::date_digits(&s));
        if let Some(phone) = normalise::phone(&s) {
            prop_assert!(phone.bytes().all(|b| b.is_ascii_digit()));
        }
        let _ = normalise::email(&s);
    }

    #[test]
    fn any_pair_is_compared_scored_and_explained(a in any_person(), b in any_person()) {
        let (columns, model) = with_columns();
        let (a, b) = (Person::prepare_with(&a, &columns), Person::prepare_with(&b, &columns));
        let tf = TermFrequencies::of(&[a.clone(), b.clone()]);
        let score = model.score_pair(&a, &b, &tf);
        prop_assert!(!score.is_nan());
        let e = model.explain(&a, &b, &tf);
        prop_assert!((0.0..=1.0).contains(&e.probability));
        for rule in blocking::people() {
            let _ = rule.key(&a);
        }
        for at in 0..9 {
            let _ = Rule::on(&[KeyPart::Extra(at)]).key(&a);
        }
    }

    #[test]
    fn any_records_are_linked_in_a_batch_and_on_arrival(raw in prop::collection::vec(any_person(), 2..6)) {
        let (columns, model) = with_columns();
        let people: Vec<Person> = Person::prepare_all(&raw, &columns);
        let settings = Settings { u_samples: 200, comparisons: model.comparisons, ..Settings::default() };
        let linked = link(&people, Mode::Dedupe, &settings, None);
        prop_assert_eq!(linked.clusters.len(), people.len());
        let mut index = Index::new(settings, linked.model, linked.frequencies);
        for p in people {
            index.add(p, 0);
        }
    }
}

#[test]
fn polish_names_are_linked_like_any_other() {
    let person = |first: &str, surname: &str| {
        Person::prepare(&RawPerson {
            first_name: first.into(),
            surname: surname.into(),
            date_of_birth: "1990-01-01".into(),
            ..RawPerson::default()
        })
    };
    let (with, without) = (person("Michał", "Wąsowski"), person("Michal", "Wasowski"));
    assert_eq!(with, without, "transliterated, they are the same values");
    let stanislaw = person("Stanisław", "Nowak");
    assert_eq!(stanislaw.first_name.unwrap().text, "stanislaw");
}
