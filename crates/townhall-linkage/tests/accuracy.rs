//! Linking people with the mistakes council systems really hold: typos,
//! nicknames, swapped day and month, moves, missing values, and twins at one
//! address who must stay apart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use townhall_linkage::blocking::Mode;
use townhall_linkage::link::{link, Settings};
use townhall_linkage::record::{Person, RawPerson};

const FIRST: [&str; 40] = [
    "William",
    "Elizabeth",
    "Robert",
    "Margaret",
    "James",
    "Catherine",
    "Thomas",
    "Susan",
    "Richard",
    "Patricia",
    "Daniel",
    "Rebecca",
    "Michael",
    "Jennifer",
    "Edward",
    "Victoria",
    "Samuel",
    "Samantha",
    "Joseph",
    "Katherine",
    "Oliver",
    "Amelia",
    "Priya",
    "Omar",
    "Leila",
    "Martin",
    "Lizzy",
    "Aisha",
    "Mohammed",
    "Chloe",
    "Harry",
    "Grace",
    "Jack",
    "Isla",
    "George",
    "Freya",
    "Noah",
    "Ava",
    "Charlie",
    "Sophie",
];
const NICK: [(&str, &str); 10] = [
    ("William", "Bill"),
    ("Elizabeth", "Liz"),
    ("Robert", "Bob"),
    ("Margaret", "Peggy"),
    ("James", "Jim"),
    ("Catherine", "Cathy"),
    ("Thomas", "Tom"),
    ("Richard", "Dick"),
    ("Edward", "Ted"),
    ("Joseph", "Joe"),
];
const SURNAMES: [&str; 30] = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Hughes",
    "Khan",
    "Patel",
    "Ahmed",
    "Okafor",
    "Nowak",
    "Kowalski",
    "Featherstonehaugh",
    "Haddad",
    "Shah",
];

fn typo(s: &str, rng: &mut StdRng) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 3 {
        return s.to_owned();
    }
    let i = rng.gen_range(1..c.len() - 1);
    match rng.gen_range(0..3) {
        0 => c.swap(i, i + 1),
        1 => {
            c.remove(i);
        }
        _ => c[i] = (b'a' + rng.gen_range(0..26)) as char,
    }
    c.into_iter().collect()
}

struct Truth {
    first: String,
    surname: String,
    dob: (i32, u8, u8),
    postcode: String,
}

fn person(rng: &mut StdRng) -> Truth {
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
fn record(t: &Truth, rng: &mut StdRng, messy: bool) -> RawPerson {
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

fn pairs(ids: &[usize]) -> HashSet<(usize, usize)> {
    let mut out = HashSet::new();
    for i in 0..ids.len() {
        for j in i + 1..ids.len() {
            if ids[i] == ids[j] {
                out.insert((i, j));
            }
        }
    }
    out
}

#[test]
fn people_are_found_across_mistakes_and_twins_kept_apart() {
    let mut rng = StdRng::seed_from_u64(42);
    let mut raw = Vec::new();
    let mut truth_ids = Vec::new();
    for id in 0..1500 {
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
    let people: Vec<Person> = raw.iter().map(Person::prepare).collect();
    let settings = Settings {
        u_samples: 200_000,
        ..Settings::default()
    };
    let linked = link(&people, Mode::Dedupe, &settings, None);
    let predicted: Vec<usize> = linked.clusters.iter().map(|c| *c as usize).collect();
    let truth = pairs(&truth_ids);
    let found = pairs(&predicted);
    let right = truth.intersection(&found).count() as f64;
    let precision = right / found.len() as f64;
    let recall = right / truth.len() as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    eprintln!(
        "{} records: precision {precision:.4}, recall {recall:.4}, F1 {f1:.4}, {} candidate pairs, {} for review",
        raw.len(),
        linked.pairs,
        linked.review.len()
    );
    assert!(
        f1 > 0.95,
        "precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}; {} candidate pairs; m {:?}",
        linked.pairs,
        linked.model.m
    );
    // Every training run converged, and the estimates make sense: an exact
    // surname is far likelier among matches than among non-matches.
    assert!(
        linked.training.iter().all(|(_, r)| r.converged),
        "{:?}",
        linked.training
    );
    assert!(linked.model.weight(1, 0) > 3.0);
    for (a, b) in truth
        .iter()
        .filter(|(a, b)| truth_ids[*a] >= 100_000 || truth_ids[*b] >= 100_000)
    {
        assert_eq!(predicted[*a], predicted[*b], "{a} {b}");
    }
    let twins_merged = (0..raw.len())
        .filter(|i| truth_ids[*i] >= 100_000)
        .filter(|i| (0..raw.len()).any(|j| j != *i && predicted[j] == predicted[*i]))
        .count();
    assert_eq!(twins_merged, 0, "twins are different people");
    // Their pairs are not lost: a person decides.
    let twin_pairs = linked
        .review
        .iter()
        .filter(|(a, b, _)| truth_ids[*a as usize] >= 100_000 || truth_ids[*b as usize] >= 100_000)
        .count();
    assert!(twin_pairs >= 55, "{twin_pairs} twin pairs in review");
}
