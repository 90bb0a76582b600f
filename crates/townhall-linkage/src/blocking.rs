//! Blocking: comparing every record with every other is out of reach at a
//! million records, so only pairs that share a key under at least one rule
//! are compared (the same surname and date of birth, say). The rules' pairs
//! are unioned without duplicates: a pair is produced by the first rule that
//! finds it and skipped by the others.

use rayon::prelude::*;

use crate::column::Value;
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
    /// Both names in either order, so that records with first name and
    /// surname swapped share it.
    NamesEitherWay,
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
    /// The value of the column beyond the core fields at this place in
    /// [`Person::extra`].
    Extra(u8),
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
    /// Whether the part holds all of `field`'s value: a rule with this part
    /// pairs only records that agree on it, so training holds that field's
    /// comparison fixed. A part that takes only some of a value (an
    /// initial, a sound, a year, a district) narrows the field without
    /// fixing it: its comparison still varies within the rule's pairs, and
    /// training learns it there.
    pub fn covers(self, field: Field) -> bool {
        match self {
            KeyPart::FirstName => field == Field::FirstName,
            KeyPart::Surname => field == Field::Surname,
            KeyPart::NamesEitherWay => matches!(field, Field::FirstName | Field::Surname),
            KeyPart::DateOfBirth => field == Field::DateOfBirth,
            KeyPart::Postcode => field == Field::Postcode,
            KeyPart::Address => field == Field::Address,
            KeyPart::Email => field == Field::Email,
            KeyPart::Phone => field == Field::Phone,
            KeyPart::Extra(at) => field == Field::Extra(at),
            KeyPart::FirstInitial
            | KeyPart::SurnameSound
            | KeyPart::BirthYear
            | KeyPart::PostcodeDistrict => false,
        }
    }

    /// Whether a rule with this part leans the levels of `field`'s
    /// comparison among its matches towards agreement, so that training
    /// should learn that field's `m` elsewhere where it can: a part that
    /// covers it, or a birth year for a date of birth (a rule on a birth
    /// year pairs few matches whose dates differ wholly). A first initial
    /// narrows a first name as much, but the rules that leave first names
    /// alone fix a surname and a date of birth, and pair twins, whom EM
    /// takes for one person with a changed first name: `m` of first names
    /// is better learned with the initial's rule than without it.
    pub fn leans(self, field: Field) -> bool {
        self.covers(field) || (self == KeyPart::BirthYear && field == Field::DateOfBirth)
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

    /// The record's key under this rule, as a 64-bit hash (a collision
    /// only adds a pair to score); `None` when a part is missing. Hashed as
    /// the parts are read, so a million records make no strings.
    pub fn key(&self, p: &Person) -> Option<u64> {
        use std::hash::{BuildHasher, Hasher};
        let mut key = foldhash::fast::FixedState::default().build_hasher();
        for part in &self.parts {
            match part {
                KeyPart::FirstName => key.write(p.first_name.as_ref()?.text.as_bytes()),
                KeyPart::FirstInitial => {
                    let name = &p.first_name.as_ref()?.text;
                    let first = name.chars().next()?;
                    key.write(&name.as_bytes()[..first.len_utf8()]);
                }
                KeyPart::Surname => key.write(p.surname.as_ref()?.text.as_bytes()),
                KeyPart::NamesEitherWay => {
                    let (a, b) = (&p.first_name.as_ref()?.text, &p.surname.as_ref()?.text);
                    let (low, high) = if a <= b { (a, b) } else { (b, a) };
                    key.write(low.as_bytes());
                    key.write(&[SEPARATOR]);
                    key.write(high.as_bytes());
                }
                KeyPart::SurnameSound => {
                    let code = &p.surname.as_ref()?.sound.primary;
                    if code.is_empty() {
                        return None;
                    }
                    key.write(code.as_str().as_bytes());
                }
                KeyPart::DateOfBirth => key.write(&p.date_of_birth?.to_julian_day().to_le_bytes()),
                KeyPart::BirthYear => key.write(&p.date_of_birth?.year().to_le_bytes()),
                KeyPart::Postcode => key.write(p.postcode.as_ref()?.unit.as_bytes()),
                KeyPart::PostcodeDistrict => key.write(p.postcode.as_ref()?.district.as_bytes()),
                KeyPart::Address if p.address.is_empty() => return None,
                KeyPart::Address => {
                    for token in p.address.first_line() {
                        key.write(token.as_bytes());
                        key.write(b" ");
                    }
                }
                KeyPart::Email => key.write(p.email.as_ref()?.as_bytes()),
                KeyPart::Phone => key.write(p.phone.as_ref()?.as_bytes()),
                KeyPart::Extra(at) => match p.extra.get(usize::from(*at))?.as_ref()? {
                    Value::Text(t) => key.write(t.as_bytes()),
                    Value::Date { typed, .. } => key.write(typed),
                    Value::Number(n) => key.write(&n.to_bits().to_le_bytes()),
                },
            }
            key.write(&[SEPARATOR]);
        }
        Some(key.finish())
    }
}

/// Between the parts of a key, so that ("ab", "c") and ("a", "bc") differ.
const SEPARATOR: u8 = 0x1f;

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
        Rule::on(&[KeyPart::DateOfBirth, KeyPart::PostcodeDistrict]),
        Rule::on(&[KeyPart::DateOfBirth, KeyPart::FirstInitial]),
        Rule::on(&[KeyPart::NamesEitherWay, KeyPart::BirthYear]),
        // Names swapped, and the birth year mistyped or missing.
        Rule::on(&[KeyPart::NamesEitherWay, KeyPart::Postcode]),
        Rule::on(&[KeyPart::Postcode, KeyPart::BirthYear]),
        Rule::on(&[KeyPart::Address, KeyPart::PostcodeDistrict]),
        // The postcode missing or mistyped, and no date of birth.
        Rule::on(&[KeyPart::Address, KeyPart::FirstInitial]),
    ]
}

/// Which pairs are wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode<'a> {
    /// Every pair: duplicates within and across sources.
    Dedupe,
    /// Pairs across sources, and within a source only when it may hold
    /// duplicates of its own: `of[i]` is record `i`'s source, and
    /// `deduplicated[s]` whether source `s` is known to hold each person
    /// once (an electoral register). With every source so, only links
    /// across sources are made.
    Sources {
        /// Each record's source.
        of: &'a [u32],
        /// Whether each source holds each person once.
        deduplicated: &'a [bool],
    },
}

impl Mode<'_> {
    /// Whether records `i` and `j` may be one person's.
    pub fn pairs(self, i: u32, j: u32) -> bool {
        match self {
            Mode::Dedupe => true,
            Mode::Sources { of, deduplicated } => {
                let (s, t) = (of[i as usize], of[j as usize]);
                s != t || !deduplicated.get(s as usize).copied().unwrap_or(false)
            }
        }
    }
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
    let keys = Keys::of(people, &rules[..rules.len().min(MAX_RULES)]);
    let mut blocked = Blocked::default();
    for r in 0..keys.width {
        // Records sorted by key: each run of one key is a block.
        let mut keyed: Vec<(u64, u32)> = (0..people.len())
            .into_par_iter()
            .filter_map(|i| {
                keys.get(i, r)
                    .map(|k| (k, u32::try_from(i).unwrap_or(u32::MAX)))
            })
            .collect();
        keyed.par_sort_unstable();
        let blocks: Vec<&[(u64, u32)]> = keyed.chunk_by(|a, b| a.0 == b.0).collect();
        let skipped = blocks.iter().filter(|b| b.len() > max_block).count();
        let found: Vec<(u32, u32, u32)> = blocks
            .par_iter()
            .filter(|b| b.len() > 1 && b.len() <= max_block)
            .flat_map_iter(|block| {
                let keys = &keys;
                block.iter().enumerate().flat_map(move |(x, &(_, i))| {
                    block[x + 1..].iter().filter_map(move |&(_, j)| {
                        if !mode.pairs(i, j) {
                            return None;
                        }
                        let shared = keys.shared(i as usize, j as usize);
                        // Only the first rule that finds a pair keeps it.
                        (shared & ((1u32 << r) - 1) == 0).then_some((i, j, shared))
                    })
                })
            })
            .collect();
        blocked.per_rule.push(found.len() as u64);
        blocked.skipped_blocks.push(skipped as u64);
        blocked.pairs.extend(found);
    }
    blocked.pairs.par_sort_unstable();
    blocked
}

/// Every record's keys, one row per record with a key per rule: a pair's
/// shared keys are then read from two rows, not from one array per rule.
struct Keys {
    width: usize,
    /// Row after row; 0 where a record has no key under a rule (a key that
    /// hashes to 0 is taken as 1: a collision only adds a pair to score).
    rows: Vec<u64>,
}

impl Keys {
    fn of(people: &[Person], rules: &[Rule]) -> Self {
        let width = rules.len();
        let mut rows = vec![0u64; people.len() * width];
        if width > 0 {
            rows.par_chunks_mut(width)
                .zip(people.par_iter())
                .for_each(|(row, p)| {
                    for (slot, rule) in row.iter_mut().zip(rules) {
                        *slot = rule.key(p).map_or(0, |k| k.max(1));
                    }
                });
        }
        Keys { width, rows }
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.rows[i * self.width..(i + 1) * self.width]
    }

    fn get(&self, i: usize, rule: usize) -> Option<u64> {
        Some(self.row(i)[rule]).filter(|k| *k != 0)
    }

    /// A bit for each rule under which records `i` and `j` share a key.
    fn shared(&self, i: usize, j: usize) -> u32 {
        self.row(i)
            .iter()
            .zip(self.row(j))
            .enumerate()
            .filter(|(_, (a, b))| **a != 0 && a == b)
            .fold(0, |mask, (r, _)| mask | (1 << r))
    }
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
        // (Marty Hughes, Martin Hewes) by how the surname sounds and by date
        // of birth with the initial. Bit r is rule r.
        assert_eq!(
            blocked.pairs,
            vec![
                (0, 1, 0b1111_1001_1111),
                (0, 2, 0b0001_0001_0001),
                (0, 3, 0b0001_0001_0010),
                (1, 2, 0b0001_0001_0001),
                (1, 3, 0b0001_0001_0010),
                (2, 3, 0b0001_0001_0000),
            ]
        );
        assert_eq!(blocked.per_rule[0], 3, "surname and date of birth");
        assert_eq!(blocked.per_rule[1], 2, "first name and date of birth");
        assert_eq!(blocked.per_rule[3], 0, "postcode: Priya's initial differs");
        assert_eq!(blocked.per_rule[4], 1, "surname sound, initial, year");
    }

    #[test]
    fn names_swapped_with_the_birth_year_mistyped_are_still_compared() {
        let people = vec![
            p("Lucy", "Fitzpatrick", "1921-02-22", "RV3 5AA"),
            p("Fitzpatrick", "Lucy", "1922-02-22", "RV3 5AA"),
        ];
        let blocked = candidates(&people, &people_rules(), Mode::Dedupe, 1000);
        assert_eq!(blocked.pairs.len(), 1);
        let rule = people_rules()
            .iter()
            .position(|r| r.parts == [KeyPart::NamesEitherWay, KeyPart::Postcode])
            .unwrap();
        assert_eq!(blocked.pairs[0].2, 1 << rule);
    }

    #[test]
    fn a_birth_year_leans_dates_towards_agreement_and_an_initial_is_learned_with() {
        assert!(KeyPart::BirthYear.leans(Field::DateOfBirth));
        assert!(KeyPart::DateOfBirth.leans(Field::DateOfBirth));
        assert!(KeyPart::NamesEitherWay.leans(Field::Surname));
        assert!(!KeyPart::FirstInitial.leans(Field::FirstName));
        assert!(!KeyPart::BirthYear.leans(Field::FirstName));
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
        let blocked = candidates(
            &people,
            &people_rules(),
            Mode::Sources {
                of: &sources,
                deduplicated: &[true, true],
            },
            1000,
        );
        assert_eq!(
            blocked.pairs,
            vec![(0, 2, 0b0011_0001_0111), (1, 2, 0b0011_0001_0111)]
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
