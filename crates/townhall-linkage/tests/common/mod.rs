//! Synthetic council records with the mistakes real systems hold, shared by
//! the accuracy and incremental tests.

#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use townhall_linkage::link::Settings;
use townhall_linkage::record::{Person, RawPerson};

#[path = "../../examples/synthetic_council/vocabulary.rs"]
mod vocabulary;

pub use vocabulary::{typo, FIRST, NICKNAMES as NICK, SURNAMES};

pub struct Truth {
    pub first: String,
    pub surname: String,
    pub dob: (i32, u8, u8),
    pub postcode: String,
}

pub fn person(rng: &mut StdRng) -> Truth {
    Truth {
        first: FIRST[rng.gen_range(0..FIRST.len())].to_owned(),
        surname: SURNAMES[rng.gen_range(0..SURNAMES.len())].to_owned(),
        dob: (
            rng.gen_range(1930..2010),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28),
        ),
        postcode: format!(
            "RV{} {}{}{}",
            rng.gen_range(1..10),
            rng.gen_range(1..10),
            (b'A' + rng.gen_range(0..26)) as char,
            (b'A' + rng.gen_range(0..26)) as char
        ),
    }
}

/// One system's record of `t`, with the mistakes systems make.
pub fn record(t: &Truth, rng: &mut StdRng, messy: bool) -> RawPerson {
    let mut first = t.first.clone();
    let mut surname = t.surname.clone();
    let (y, mut m, mut d) = t.dob;
    let mut postcode = t.postcode.clone();
    if messy {
        match rng.gen_range(0..8) {
            0 => first = typo(&first, rng),
            1 => surname = typo(&surname, rng),
            2 => {
                if let Some((_, nick)) = NICK.iter().find(|(f, _)| *f == first) {
                    first = (*nick).to_owned();
                }
            }
            3 if d <= 12 => std::mem::swap(&mut m, &mut d),
            4 => postcode = format!("RV{} 1AA", rng.gen_range(1..10)),
            5 => postcode.clear(),
            6 => d = if d < 28 { d + 1 } else { d - 1 },
            _ => surname = typo(&surname, rng),
        }
    }
    RawPerson {
        first_name: first,
        surname,
        date_of_birth: format!("{y:04}-{m:02}-{d:02}"),
        postcode,
        ..RawPerson::default()
    }
}

/// `persons` people, each in one to three records (copies after the first
/// with one mistake), and a twin for every 25th: the records, and the true
/// person of each (twins from 100,000 up).
pub fn population(persons: usize, seed: u64) -> (Vec<RawPerson>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut raw = Vec::new();
    let mut truth_ids = Vec::new();
    for id in 0..persons {
        let t = person(&mut rng);
        let copies = rng.gen_range(1..=3);
        for copy in 0..copies {
            raw.push(record(&t, &mut rng, copy > 0));
            truth_ids.push(id);
        }
        // A twin: same surname, birthday and home; another person.
        if id % 25 == 0 {
            let twin_first =
                FIRST[(FIRST.iter().position(|f| *f == t.first).unwrap() + 7) % FIRST.len()];
            raw.push(RawPerson {
                first_name: twin_first.to_owned(),
                ..record(&t, &mut rng, false)
            });
            truth_ids.push(100_000 + id);
        }
    }
    (raw, truth_ids)
}

/// [`population`] prepared for linking, with settings that estimate `u`
/// from `u_samples` random pairs (enough for a few thousand records).
pub fn prepared(
    persons: usize,
    seed: u64,
    u_samples: usize,
) -> (Vec<Person>, Vec<usize>, Settings) {
    let (raw, truth) = population(persons, seed);
    let people = raw.iter().map(Person::prepare).collect();
    let settings = Settings {
        u_samples,
        ..Settings::default()
    };
    (people, truth, settings)
}
