//! Blocking: comparing every record with every other is out of reach at a
//! million records, so only pairs that share a key under at least one rule
//! are compared (the same surname and date of birth, say). The rules' pairs
//! are unioned without duplicates: a pair is produced by the first rule that
//! finds it and skipped by the others.

use std::collections::HashMap;

use crate::comparison::Field;
use crate::record::Person;

/// A part of a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPart {
    /// The given name.
    FirstName,
    /// The given name's first letter.
    FirstInitial,
    /// The family name.
    Surname,
    /// How the family name sounds (Double Metaphone's primary code).
    SurnameSound,
    /// The date of birth.
    DateOfBirth,
    /// The year of birth.
    BirthYear,
    /// The postcode.
    Postcode,
    /// The postcode's district (`RV1`).
    PostcodeDistrict,
    /// The first line of the address.
    Address,
    /// The email address.
    Email,
    /// The phone number.
    Phone,
}

/// Records whose key parts are all present and equal are candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// How it is named in reports, e.g. `surname and date of birth`.
    pub name: String,
    /// The parts of the key.
    pub parts: Vec<KeyPart>,
}

impl KeyPart {
    /// The field the part is taken from.
    pub fn field(self) -> Field {
        match self {
            KeyPart::FirstName | KeyPart::FirstInitial => Field::FirstName,
            KeyPart::Surname | KeyPart::SurnameSound => Field::Surname,
            KeyPart::DateOfBirth | KeyPart::BirthYear => Field::DateOfBirth,
            KeyPart::Postcode | KeyPart::PostcodeDistrict => Field::Postcode,
            KeyPart::Address => Field::Address,
            KeyPart::Email => Field::Email,
            KeyPart::Phone => Field::Phone,
        }
    }
}

impl Rule {
    /// A rule on `parts`, named after them.
    pub fn on(parts: &[KeyPart]) -> Self {
        Rule {
            name: parts
                .iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(" + "),
            parts: parts.to_vec(),
        }
    }

    /// The record's key under this rule; `None` when a part is missing.
    pub fn key(&self, p: &Person) -> Option<String> {
        let mut key = String::new();
        for part in &self.parts {
            let value = match part {
                KeyPart::FirstName => p.first_name.as_ref()?.text.clone(),
                KeyPart::FirstInitial => p.first_name.as_ref()?.text.chars().next()?.to_string(),
                KeyPart::Surname => p.surname.as_ref()?.text.clone(),
                KeyPart::SurnameSound => {
                    let code = &p.surname.as_ref()?.sound.primary;
                    if code.is_empty() {
                        return None;
                    }
                    code.clone()
                }
                KeyPart::DateOfBirth => p.date_of_birth?.to_string(),
                KeyPart::BirthYear => p.date_of_birth?.year().to_string(),
                KeyPart::Postcode => p.postcode.as_ref()?.unit.clone(),
                KeyPart::PostcodeDistrict => p.postcode.as_ref()?.district.clone(),
                KeyPart::Address if p.address.is_empty() => return None,
                KeyPart::Address => p.address.join(" "),
                KeyPart::Email => p.email.clone()?,
                KeyPart::Phone => p.phone.clone()?,
            };
            key.push_str(&value);
            key.push('\u{1f}');
        }
        Some(key)
    }
}

/// The rules for people in council systems: each catches the pairs the
/// others miss when one value is mistyped, missing or changed.
pub fn people() -> Vec<Rule> {
    vec![
        Rule::on(&[KeyPart::Surname, KeyPart::DateOfBirth]),
        Rule::on(&[KeyPart::FirstName, KeyPart::DateOfBirth]),
        Rule::on(&[KeyPart::FirstName, KeyPart::Surname, KeyPart::BirthYear]),
        Rule::on(&[KeyPart::Postcode, KeyPart::FirstInitial]),
        Rule::on(&[
            KeyPart::SurnameSound,
            KeyPart::FirstInitial,
            KeyPart::BirthYear,
        ]),
        Rule::on(&[KeyPart::Email]),
        Rule::on(&[KeyPart::Phone]),
        Rule::on(&[KeyPart::DateOfBirth]),
        Rule::on(&[KeyPart::Postcode, KeyPart::BirthYear]),
        Rule::on(&[KeyPart::Address, KeyPart::PostcodeDistrict]),
    ]
}

/// Which pairs are wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode<'a> {
    /// Every pair: duplicates within and across sources.
    Dedupe,
    /// Only pairs from different sources; `sources[i]` is record i's source.
    LinkOnly(&'a [u32]),
}

/// What blocking produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Blocked {
    /// Candidate pairs `(i, j, rules)`, `i < j`, each once, with a bit set in
    /// `rules` for every rule whose key the two records share.
    pub pairs: Vec<(u32, u32, u32)>,
    /// How many new pairs each rule contributed, in the rules' order.
    pub per_rule: Vec<u64>,
    /// Keys whose records were too many to pair (more than `max_block`), by rule.
    pub skipped_blocks: Vec<u64>,
}

/// The most rules one run can use.
pub const MAX_RULES: usize = 32;

/// The candidate pairs of `people` under `rules` (at most [`MAX_RULES`]). A key shared by more than
/// `max_block` records (a placeholder date of birth, say) pairs nothing,
/// and is counted in [`Blocked::skipped_blocks`].
pub fn candidates(people: &[Person], rules: &[Rule], mode: Mode<'_>, max_block: usize) -> Blocked {
    // Keys are kept as 64-bit hashes: a collision only adds a pair to score.
    let keys: Vec<Vec<Option<u64>>> = rules
        .iter()
        .take(MAX_RULES)
        .map(|r| people.iter().map(|p| r.key(p).map(|k| hash(&k))).collect())
        .collect();
    let mut blocked = Blocked::default();
    for (r, rule_keys) in keys.iter().enumerate() {
        let mut groups: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, key) in rule_keys.iter().enumerate() {
            if let Some(k) = key {
                groups
                    .entry(*k)
                    .or_default()
                    .push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        let mut added = 0u64;
        let mut skipped = 0u64;
        for members in groups.values() {
            if members.len() > max_block {
                skipped += 1;
                continue;
            }
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    if let Mode::LinkOnly(sources) = mode {
                        if sources[i as usize] == sources[j as usize] {
                            continue;
                        }
                    }
                    let shared = shared_keys(&keys, i as usize, j as usize);
                    // Only the first rule that finds a pair keeps it.
                    if shared & ((1u32 << r) - 1) == 0 {
                        blocked.pairs.push((i.min(j), i.max(j), shared));
                        added += 1;
                    }
                }
            }
        }
        blocked.per_rule.push(added);
        blocked.skipped_blocks.push(skipped);
    }
    blocked.pairs.sort_unstable();
    blocked
}

/// A bit for each rule under which records `i` and `j` share a key.
fn shared_keys(keys: &[Vec<Option<u64>>], i: usize, j: usize) -> u32 {
    keys.iter()
        .enumerate()
        .filter(|(_, k)| k[i].is_some() && k[i] == k[j])
        .fold(0, |mask, (r, _)| mask | (1 << r))
}

pub(crate) fn hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::sample as p;

    #[test]
    fn rules_are_unioned_without_duplicates() {
        let people = vec![
            p("Martin", "Hughes", "1952-04-11", "RV1 2AB"),
            p("Martin", "Hughes", "1952-04-11", "RV1 2AB"),
            p("Marty", "Hughes", "1952-04-11", ""),
            p("Martin", "Hewes", "1952-04-11", ""),
            p("Priya", "Shah", "1980-01-30", "RV1 2AB"),
        ];
        let blocked = candidates(&people, &people_rules(), Mode::Dedupe, 1000);
        // 0-1 share every key but are listed once; 0-2 and 1-2 by surname and
        // date of birth; 0-3 and 1-3 by first name and date of birth; 2-3
        // (Marty Hughes, Martin Hewes) only by how the surname sounds.
        assert_eq!(
            blocked.pairs,
            vec![
                (0, 1, 0b01_1001_1111),
                (0, 2, 0b00_1001_0001),
                (0, 3, 0b00_1001_0010),
                (1, 2, 0b00_1001_0001),
                (1, 3, 0b00_1001_0010),
                (2, 3, 0b00_1001_0000),
            ]
        );
        assert_eq!(blocked.per_rule[0], 3, "surname and date of birth");
        assert_eq!(blocked.per_rule[1], 2, "first name and date of birth");
        assert_eq!(blocked.per_rule[3], 0, "postcode: Priya's initial differs");
        assert_eq!(blocked.per_rule[4], 1, "surname sound, initial, year");
    }

    fn people_rules() -> Vec<Rule> {
        people()
    }

    #[test]
    fn link_only_pairs_records_of_different_sources() {
        let people = vec![
            p("Ann", "Lee", "1990-01-01", ""),
            p("Ann", "Lee", "1990-01-01", ""),
            p("Ann", "Lee", "1990-01-01", ""),
        ];
        let sources = [0, 0, 1];
        let blocked = candidates(&people, &people_rules(), Mode::LinkOnly(&sources), 1000);
        assert_eq!(
            blocked.pairs,
            vec![(0, 2, 0b1001_0111), (1, 2, 0b1001_0111)]
        );
    }

    #[test]
    fn oversized_blocks_are_skipped_and_counted() {
        let people: Vec<Person> = (0..5).map(|_| p("", "", "1900-01-01", "")).collect();
        let rules = vec![Rule::on(&[KeyPart::DateOfBirth])];
        let blocked = candidates(&people, &rules, Mode::Dedupe, 4);
        assert!(blocked.pairs.is_empty());
        assert_eq!(blocked.skipped_blocks, vec![1]);
    }
}
