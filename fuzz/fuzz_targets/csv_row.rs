//! Rows of a system's export, whatever bytes they hold, prepared, compared
//! with each other and with ordinary residents, scored, explained, blocked,
//! linked in a batch and on arrival: none of it may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use townhall_linkage::blocking::{self, Mode};
use townhall_linkage::comparison;
use townhall_linkage::frequency::TermFrequencies;
use townhall_linkage::index::Index;
use townhall_linkage::link::{link, Settings};
use townhall_linkage::model::Model;
use townhall_linkage::record::{Person, RawPerson};

/// Residents the fuzzed rows are compared with.
const RESIDENTS: &str = "Martin,Hughes,1952-04-11,RV1 2AB,12 High Street,Riverside,martin@mail.example,01632 960001\n\
                         Michał,Nowak,13/03/81,RV2 3CD,Flat 3 Mill Road,Riverside,,07700 900982\n";

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
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut raw = people(RESIDENTS.as_bytes());
    raw.extend(people(data));
    let prepared = Person::prepare_all(&raw);
    let model = Model::new(comparison::people());
    let tf = TermFrequencies::of(&prepared);
    for a in &prepared {
        for b in &prepared {
            let e = model.explain(a, b, &tf);
            assert!((0.0..=1.0).contains(&e.probability));
        }
        for rule in blocking::people() {
            let _ = rule.key(a);
        }
    }
    let settings = Settings {
        u_samples: 100,
        ..Settings::default()
    };
    let linked = link(&prepared, Mode::Dedupe, &settings, None);
    let mut index = Index::new(settings, linked.model, linked.frequencies);
    for p in prepared {
        index.add(p);
    }
});
