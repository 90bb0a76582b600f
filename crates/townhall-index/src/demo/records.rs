//! The demo council's people as its other systems hold them: Council Tax,
//! the electoral register, housing, adult social care, school admissions and
//! children's services, each with the mistakes such systems have (typing
//! slips, nicknames, changed surnames, day and month swapped, old addresses,
//! missing values), and children — twins among them — who have no account.
//! The index then has real work to do: linking, and pairs to review.

use rand::rngs::StdRng;
use rand::Rng;
use townhall_identity::demo::{FAMILY, GIVEN};
use townhall_kernel::demo::{Home, Resident};
use townhall_linkage::record::RawPerson;

use crate::records::NewRecord;

const NICKNAMES: &[(&str, &str)] = &[
    ("William", "Bill"),
    ("Elizabeth", "Liz"),
    ("Margaret", "Maggie"),
    ("Robert", "Bob"),
    ("James", "Jim"),
    ("Catherine", "Kate"),
    ("Thomas", "Tom"),
    ("Susan", "Sue"),
    ("Michael", "Mike"),
    ("Jennifer", "Jenny"),
    ("Richard", "Rick"),
    ("Patricia", "Pat"),
];

/// A typing slip: two neighbouring letters swapped, or one left out.
fn slip(rng: &mut StdRng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let at = rng.gen_range(1..chars.len() - 1);
    if rng.gen_bool(0.5) {
        chars.swap(at, at + 1);
    } else {
        chars.remove(at);
    }
    chars.into_iter().collect()
}

/// `yyyy-mm-dd` written as a system would: some as dd/mm/yyyy, some with
/// day and month swapped when the day could be a month.
fn written_date(rng: &mut StdRng, iso: &str, swap: f64) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    let [y, m, d] = parts[..] else {
        return iso.to_owned();
    };
    let swapped = rng.gen_bool(swap) && d.parse::<u8>().is_ok_and(|d| d <= 12) && d != m;
    let (m, d) = if swapped { (d, m) } else { (m, d) };
    if rng.gen_bool(0.5) {
        format!("{d}/{m}/{y}")
    } else {
        format!("{y}-{m}-{d}")
    }
}

/// How a system holds someone: each field kept with a chance, and mistakes.
struct Habits {
    keep_dob: f64,
    keep_phone: f64,
    keep_email: f64,
    nickname: f64,
    slip: f64,
    swap_date: f64,
    old_address: f64,
    new_surname: f64,
}

fn copy(rng: &mut StdRng, p: &RawPerson, h: &Habits, homes: &[Home]) -> RawPerson {
    let mut out = p.clone();
    if rng.gen_bool(h.nickname) {
        if let Some((_, short)) = NICKNAMES.iter().find(|(full, _)| *full == p.first_name) {
            out.first_name = (*short).to_owned();
        }
    }
    if rng.gen_bool(h.slip) {
        if rng.gen_bool(0.5) {
            out.surname = slip(rng, &out.surname);
        } else {
            out.first_name = slip(rng, &out.first_name);
        }
    }
    if rng.gen_bool(h.new_surname) {
        out.surname = FAMILY[rng.gen_range(0..FAMILY.len())].to_owned();
    }
    out.date_of_birth = if rng.gen_bool(h.keep_dob) {
        written_date(rng, &p.date_of_birth, h.swap_date)
    } else {
        String::new()
    };
    if rng.gen_bool(h.old_address) {
        let a = &homes[rng.gen_range(0..homes.len())];
        out.address = a.line1.clone();
        out.postcode = a.postcode.clone();
        out.town = a.town.clone();
    }
    if !rng.gen_bool(h.keep_phone) {
        out.phone.clear();
    }
    if !rng.gen_bool(h.keep_email) {
        out.email.clear();
    }
    out
}

/// A resident as their council account holds them.
fn as_held(r: &Resident) -> RawPerson {
    RawPerson {
        first_name: r.given_name.clone(),
        surname: r.family_name.clone(),
        date_of_birth: r.date_of_birth.clone(),
        postcode: r.home.postcode.clone(),
        address: r.home.line1.clone(),
        town: r.home.town.clone(),
        email: r.email.clone(),
        phone: r.phone.clone(),
        extra: Vec::new(),
    }
}

/// The column adult social care's records carry beyond the core fields:
/// whether the person has a recorded mobility need (`yes` or `no`), which
/// trigger rules read.
pub(super) const MOBILITY_NEED: &str = "mobility_need";

/// Whether the `n`th resident's care record says they have mobility needs:
/// a third of them, Martin first, with no draw from the random stream.
fn mobility_need(n: usize) -> &'static str {
    if n % 3 == 0 {
        "yes"
    } else {
        "no"
    }
}

/// Every system's records: (system id, records).
pub(super) fn records(
    rng: &mut StdRng,
    residents: &[Resident],
    homes: &[Home],
) -> Vec<(&'static str, Vec<NewRecord>)> {
    let mut systems: Vec<(&'static str, Vec<NewRecord>)> = vec![
        (crate::ACCOUNTS, Vec::new()),
        ("council_tax", Vec::new()),
        ("electoral_register", Vec::new()),
        ("housing", Vec::new()),
        ("adult_social_care", Vec::new()),
        ("school_admissions", Vec::new()),
        ("childrens_services", Vec::new()),
    ];
    let careful = Habits {
        keep_dob: 1.0,
        keep_phone: 0.9,
        keep_email: 0.6,
        nickname: 0.05,
        slip: 0.03,
        swap_date: 0.02,
        old_address: 0.02,
        new_surname: 0.0,
    };
    let council_tax = Habits {
        keep_dob: 0.4,
        keep_phone: 0.5,
        keep_email: 0.3,
        nickname: 0.15,
        slip: 0.05,
        old_address: 0.05,
        ..careful
    };
    let register = Habits {
        keep_dob: 0.7,
        keep_phone: 0.0,
        keep_email: 0.0,
        new_surname: 0.03,
        ..careful
    };
    let care = Habits {
        swap_date: 0.08,
        slip: 0.06,
        keep_email: 0.2,
        ..careful
    };
    for (n, resident) in residents.iter().enumerate() {
        let person = as_held(resident);
        let record = |id: String, person: RawPerson| NewRecord {
            record_id: id,
            person,
            account: None,
        };
        systems[0].1.push(NewRecord {
            record_id: resident.account.to_string(),
            person: person.clone(),
            account: Some(resident.account),
        });
        if rng.gen_bool(0.75) {
            let p = copy(rng, &person, &council_tax, homes);
            systems[1]
                .1
                .push(record(format!("CT{:06}", 310_000 + n), p));
        }
        if rng.gen_bool(0.85) {
            let p = copy(rng, &person, &register, homes);
            systems[2]
                .1
                .push(record(format!("ER-{:05}", 20_000 + n), p));
        }
        if rng.gen_bool(0.15) {
            let p = copy(rng, &person, &careful, homes);
            systems[3].1.push(record(format!("H{:05}", 4_000 + n), p));
        }
        let old = person.date_of_birth.as_str() < "1960";
        if old && rng.gen_bool(0.4) {
            let mut p = copy(rng, &person, &care, homes);
            p.extra = vec![mobility_need(n).to_owned()];
            systems[4].1.push(record(format!("ASC{:05}", 700 + n), p));
        } else if n == 0 {
            // Martin's story: adult social care knows him and his mobility
            // needs. Copied as held, with no draw, so nobody else's records
            // change.
            let mut p = person.clone();
            p.extra = vec!["yes".to_owned()];
            systems[4].1.push(record(format!("ASC{:05}", 700 + n), p));
        }
        // Parents born 1975–1995: some have children at school, twins now and then.
        let parent = ("1975".."1996").contains(&person.date_of_birth.as_str());
        if parent && rng.gen_bool(0.3) {
            let children = rng.gen_range(1..=3);
            let mut born = String::new();
            for c in 0..children {
                let twin = c > 0 && rng.gen_bool(0.15);
                if !twin {
                    born = format!(
                        "{}-{:02}-{:02}",
                        rng.gen_range(2010..2021),
                        rng.gen_range(1..=12),
                        rng.gen_range(1..=28)
                    );
                }
                let child = RawPerson {
                    first_name: GIVEN[rng.gen_range(0..GIVEN.len())].to_owned(),
                    surname: person.surname.clone(),
                    date_of_birth: born.clone(),
                    postcode: person.postcode.clone(),
                    address: person.address.clone(),
                    town: person.town.clone(),
                    email: String::new(),
                    phone: person.phone.clone(),
                    extra: Vec::new(),
                };
                let id = systems[5].1.len();
                let p = copy(rng, &child, &careful, homes);
                systems[5]
                    .1
                    .push(record(format!("SA{:05}", 50_000 + id), p));
                if rng.gen_bool(0.3) {
                    let p = copy(rng, &child, &care, homes);
                    let id = systems[6].1.len();
                    systems[6]
                        .1
                        .push(record(format!("CS-{:04}", 1_000 + id), p));
                }
            }
        }
    }
    systems
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn resident(given: &str, born: &str) -> Resident {
        Resident {
            account: townhall_types::UserId::new(),
            given_name: given.into(),
            family_name: "Hughes".into(),
            date_of_birth: born.into(),
            email: format!("{given}@mail.example"),
            phone: "07700 900123".into(),
            home: home(),
        }
    }

    fn home() -> Home {
        Home {
            uprn: "100000000001".into(),
            line1: "22 Clarence Close".into(),
            town: "Riverside".into(),
            postcode: "RV4 3AX".into(),
        }
    }

    /// Martin's care record says he has mobility needs, whatever the draws;
    /// the others' say so for a third of them, and every care record holds
    /// the one column it declares.
    #[test]
    fn care_records_carry_mobility_needs_and_martin_has_one() {
        let people: Vec<Resident> = (0..60)
            .map(|n| {
                resident(
                    &format!("P{n}"),
                    if n % 2 == 0 {
                        "1950-01-01"
                    } else {
                        "1990-01-01"
                    },
                )
            })
            .collect();
        for seed in 0..5 {
            let systems = records(&mut StdRng::seed_from_u64(seed), &people, &[home()]);
            let (_, care) = systems
                .iter()
                .find(|(s, _)| *s == "adult_social_care")
                .unwrap();
            let martins = care.iter().find(|r| r.record_id == "ASC00700").unwrap();
            assert_eq!(martins.person.extra, vec!["yes".to_owned()]);
            assert!(care.iter().all(|r| r.person.extra.len() == 1));
            assert!(care.iter().any(|r| r.person.extra[0] == "no"));
        }
    }
}
