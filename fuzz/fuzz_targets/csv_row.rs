//! Rows of a system's export, whatever bytes they hold (the core fields,
//! then a column of every kind), prepared, compared
//! with each other and with ordinary residents, scored, explained, blocked,
//! linked in a batch and on arrival: none of it may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use townhall_linkage::blocking::{self, KeyPart, Mode, Rule};
use townhall_linkage::column::{Column, Kind};
use townhall_linkage::comparison::{self, Comparison, Test};
use townhall_linkage::frequency::TermFrequencies;
use townhall_linkage::index::Index;
use townhall_linkage::link::{link, Settings};
use townhall_linkage::model::Model;
use townhall_linkage::record::{Person, RawPerson};

/// Residents the fuzzed rows are compared with.
const RESIDENTS: &str = "Martin,Hughes,1952-04-11,RV1 2AB,12 High Street,Riverside,martin@mail.example,01632 960001\n\
                         Michał,Nowak,13/03/81,RV2 3CD,Flat 3 Mill Road,Riverside,,07700 900982,\
                         text,Name,ID-1,943 476 5919,AB 12 34 56 C,000100023336956,F,1981-03-13,12.5\n";

fn people(bytes: &[u8]) -> Vec<RawPerson> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    reader
        .byte_records()
        .take(6)
        .map_while(Result::ok)
        .map(|row| {
            let field = |i: usize| {
                row.get(i)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default()
            };
            RawPerson {
                first_name: field(0),
                surname: field(1),
                date_of_birth: field(2),
                postcode: field(3),
                address: field(4),
                town: field(5),
                email: field(6),
                phone: field(7),
                extra: (8..row.len()).map(field).collect(),
            }
        })
        .collect()
}

/// A column of every kind after the core fields, each compared at every
/// level there is.
fn columns() -> (Vec<Column>, Vec<Comparison>) {
    let columns: Vec<Column> = Kind::ALL
        .iter()
        .map(|k| Column {
            name: format!("{k:?}"),
            kind: *k,
        })
        .collect();
    let tests = [
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
    let mut comparisons = comparison::people();
    comparisons.extend(
        (0u8..)
            .zip(&columns)
            .map(|(at, c)| Comparison::of_column(at, c.clone(), tests.to_vec())),
    );
    (columns, comparisons)
}

fuzz_target!(|data: &[u8]| {
    let mut raw = people(RESIDENTS.as_bytes());
    raw.extend(people(data));
    let (columns, comparisons) = columns();
    let prepared = Person::prepare_all(&raw, &columns);
    let model = Model::new(comparisons.clone());
    let tf = TermFrequencies::of(&prepared);
    for a in &prepared {
        for b in &prepared {
            let e = model.explain(a, b, &tf);
            assert!((0.0..=1.0).contains(&e.probability));
        }
        for rule in blocking::people() {
            let _ = rule.key(a);
        }
        for at in 0..9 {
            let _ = Rule::on(&[KeyPart::Extra(at)]).key(a);
        }
    }
    let settings = Settings {
        u_samples: 100,
        comparisons,
        ..Settings::default()
    };
    let linked = link(&prepared, Mode::Dedupe, &settings, None);
    let mut index = Index::new(settings, linked.model, linked.frequencies);
    for p in prepared {
        index.add(p, 0);
    }
});
