//! A synthetic council's people, spread across its systems with the mistakes
//! real systems hold, for benchmarks of record linkage.
//!
//!     cargo run --release -p townhall-linkage --example synthetic_council -- OUT_DIR RECORDS [SEED]
//!
//! Writes one CSV per system (`council_tax`, `housing`, `benefits`,
//! `electoral_register`, `school_admissions`, `parking`) with the columns
//! `record_id,first_name,surname,date_of_birth,postcode,address_line1,email,phone`,
//! and `truth.csv` (`source,record_id,person_id`). About `RECORDS` records in all.
//!
//! Households live at addresses; families share a surname and an address,
//! and some children are twins (same surname, birthday and home: different
//! people). Each system holds some of the people, adults or children as it
//! would, and each record may carry mistakes: typing slips in names,
//! nicknames, a married surname, day and month swapped, a slip in the date,
//! an old address, missing email or phone.

use std::io::Write;
use std::path::Path;

mod vocabulary;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vocabulary::{typo, FIRST, NICKNAMES, SURNAMES};

/// Beginnings and endings of surnames and street names beyond the common
/// ones: a council's long tail, so that a million people are not a few
/// thousand names over and over.
const ROOTS: [&str; 40] = [
    "Ash", "Brad", "Craw", "Dal", "Elling", "Fair", "Gold", "Hart", "Kings", "Lang", "Mar",
    "North", "Oak", "Pem", "Rad", "Shel", "Thorn", "Under", "Wain", "Whit", "Yar", "Brook", "Cal",
    "Dun", "Fen", "Grim", "Hal", "Kel", "Lind", "Mor", "Ned", "Ow", "Pres", "Rook", "Stan", "Tre",
    "Ux", "Ver", "Wes", "Yor",
];
const ENDINGS: [&str; 25] = [
    "ley", "ton", "worth", "field", "by", "ford", "ham", "well", "wood", "bury", "den", "more",
    "stone", "shaw", "land", "wick", "combe", "dale", "gate", "hurst", "low", "ridge", "ston",
    "thorpe", "win",
];
const STREET_KINDS: [&str; 8] = [
    "Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Crescent",
];

/// A surname: one of the common ones about a third of the time, else one of
/// a thousand rarer ones.
fn pick_surname(rng: &mut StdRng) -> String {
    if rng.gen_bool(0.35) {
        pick(rng, &SURNAMES).to_owned()
    } else {
        format!("{}{}", pick(rng, &ROOTS), pick(rng, &ENDINGS))
    }
}

#[derive(Clone)]
struct Person {
    id: usize,
    first: String,
    surname: String,
    /// The surname before marriage, for systems that still hold it.
    maiden: Option<String>,
    dob: (i32, u8, u8),
    address: usize,
    old_address: Option<usize>,
    email: Option<String>,
    phone: Option<String>,
}

struct Address {
    line1: String,
    postcode: String,
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

fn addresses(count: usize, rng: &mut StdRng) -> Vec<Address> {
    (0..count)
        .map(|i| {
            // About 15 addresses share a postcode, as in the UK; a street
            // runs over three postcodes, and a district holds a thousand.
            let unit = i / 15;
            let street = unit / 3;
            let letters = b"ABDEFGHJLN";
            Address {
                line1: format!(
                    "{} {}{} {}",
                    1 + i % 15 * 2 + rng.gen_range(0..2),
                    ROOTS[street % ROOTS.len()],
                    ENDINGS[street / ROOTS.len() % ENDINGS.len()],
                    STREET_KINDS[street / (ROOTS.len() * ENDINGS.len()) % STREET_KINDS.len()]
                ),
                postcode: format!(
                    "RV{} {}{}{}",
                    1 + unit / 1000,
                    unit % 1000 / 100,
                    char::from(letters[unit % 100 / 10]),
                    char::from(letters[unit % 10])
                ),
            }
        })
        .collect()
}

fn population(people: usize, rng: &mut StdRng) -> (Vec<Person>, Vec<Address>) {
    let homes = addresses(people / 2 + 1, rng);
    let mut out: Vec<Person> = Vec::with_capacity(people);
    let mut home = 0;
    while out.len() < people {
        let surname = pick_surname(rng);
        let adults = rng.gen_range(1..=2);
        let children = if rng.gen_bool(0.4) {
            rng.gen_range(1..=3)
        } else {
            0
        };
        let parent_year = rng.gen_range(1935..2004);
        for a in 0..adults {
            let married = a == 1 && rng.gen_bool(0.7);
            out.push(person(
                out.len(),
                &surname,
                married.then(|| pick_surname(rng)),
                (
                    parent_year + rng.gen_range(-4..4),
                    rng.gen_range(1..=12),
                    rng.gen_range(1..=28),
                ),
                home,
                rng,
            ));
        }
        let mut k = 0;
        while k < children && parent_year < 1990 {
            let dob = (
                parent_year + rng.gen_range(20..36),
                rng.gen_range(1..=12),
                rng.gen_range(1..=28),
            );
            out.push(person(out.len(), &surname, None, dob, home, rng));
            if rng.gen_bool(0.05) {
                // A twin: same surname, birthday and home; another person.
                out.push(person(out.len(), &surname, None, dob, home, rng));
            }
            k += 1;
        }
        home = (home + 1) % homes.len();
    }
    out.truncate(people);
    for p in &mut out {
        if rng.gen_bool(0.15) {
            p.old_address = Some(rng.gen_range(0..homes.len()));
        }
    }
    (out, homes)
}

fn person(
    id: usize,
    surname: &str,
    maiden: Option<String>,
    dob: (i32, u8, u8),
    address: usize,
    rng: &mut StdRng,
) -> Person {
    let first = pick(rng, &FIRST).to_owned();
    let email = rng.gen_bool(0.6).then(|| {
        format!(
            "{}.{}{}@mail.example",
            first.to_lowercase(),
            surname.to_lowercase(),
            rng.gen_range(1..10_000)
        )
    });
    // Mobile numbers: enough of them that strangers do not share one.
    let phone = rng
        .gen_bool(0.5)
        .then(|| format!("07{:09}", rng.gen_range(0..1_000_000_000)));
    Person {
        id,
        first,
        surname: surname.to_owned(),
        maiden,
        dob,
        address,
        old_address: None,
        email,
        phone,
    }
}

/// A system: who it holds, and how careful it is.
struct System {
    name: &'static str,
    /// Holds people born in these years.
    born: std::ops::RangeInclusive<i32>,
    /// The share of those it holds.
    coverage: f64,
    /// The chance of a mistake in each record.
    mistakes: f64,
}

const SYSTEMS: [System; 6] = [
    System {
        name: "council_tax",
        born: 1900..=2008,
        coverage: 0.55,
        mistakes: 0.15,
    },
    System {
        name: "electoral_register",
        born: 1900..=2008,
        coverage: 0.6,
        mistakes: 0.1,
    },
    System {
        name: "housing",
        born: 1900..=2026,
        coverage: 0.2,
        mistakes: 0.25,
    },
    System {
        name: "benefits",
        born: 1900..=2026,
        coverage: 0.25,
        mistakes: 0.2,
    },
    System {
        name: "school_admissions",
        born: 2008..=2026,
        coverage: 0.9,
        mistakes: 0.2,
    },
    System {
        name: "parking",
        born: 1900..=2008,
        coverage: 0.15,
        mistakes: 0.3,
    },
];

fn record(p: &Person, homes: &[Address], system: &System, rng: &mut StdRng) -> [String; 7] {
    let mut first = p.first.clone();
    let mut surname = p.surname.clone();
    let (y, mut m, mut d) = p.dob;
    let mut home = p.address;
    let mut email = p.email.clone().unwrap_or_default();
    let mut phone = p.phone.clone().unwrap_or_default();
    if let Some(maiden) = &p.maiden {
        if system.mistakes > 0.2 && rng.gen_bool(0.5) {
            surname = maiden.clone();
        }
    }
    if let Some(old) = p.old_address {
        if rng.gen_bool(0.5) {
            home = old;
        }
    }
    if rng.gen_bool(system.mistakes) {
        match rng.gen_range(0..9) {
            0 | 1 => first = typo(&first, rng),
            2 | 3 => surname = typo(&surname, rng),
            4 => {
                if let Some((_, nick)) = NICKNAMES.iter().find(|(f, _)| *f == first) {
                    first = (*nick).to_owned();
                }
            }
            5 if d <= 12 => std::mem::swap(&mut m, &mut d),
            6 => d = if d < 28 { d + 1 } else { d - 1 },
            7 => email.clear(),
            _ => phone.clear(),
        }
    }
    if rng.gen_bool(0.3) {
        email.clear();
    }
    let a = &homes[home];
    [
        first,
        surname,
        format!("{y:04}-{m:02}-{d:02}"),
        a.postcode.clone(),
        a.line1.clone(),
        email,
        phone,
    ]
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(records)) = (
        args.get(1),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: synthetic_council OUT_DIR RECORDS [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut rng = StdRng::seed_from_u64(seed);
    // Each person is in about 1.6 systems.
    let (people, homes) = population(records * 5 / 8, &mut rng);
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let mut truth = std::io::BufWriter::new(std::fs::File::create(dir.join("truth.csv"))?);
    writeln!(truth, "source,record_id,person_id")?;
    let mut written = 0;
    for system in &SYSTEMS {
        let mut out = std::io::BufWriter::new(std::fs::File::create(
            dir.join(format!("{}.csv", system.name)),
        )?);
        writeln!(
            out,
            "record_id,first_name,surname,date_of_birth,postcode,address_line1,email,phone"
        )?;
        for p in people.iter().filter(|p| system.born.contains(&p.dob.0)) {
            if !rng.gen_bool(system.coverage) {
                continue;
            }
            let id = format!("{}{:07}", &system.name[..2].to_uppercase(), written);
            let fields = record(p, &homes, system, &mut rng);
            writeln!(out, "{id},{}", fields.join(","))?;
            writeln!(truth, "{},{id},{}", system.name, p.id)?;
            written += 1;
        }
    }
    eprintln!(
        "{written} records of {} people in {}",
        people.len(),
        dir.display()
    );
    Ok(())
}
