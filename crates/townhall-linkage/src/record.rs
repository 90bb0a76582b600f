//! A person as one system holds them, and the same prepared for comparison:
//! every value normalised once, and what comparisons need (sounds, nickname
//! groups, postcode parts, address tokens) worked out ahead, so that
//! comparing a pair does no parsing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use time::Date;

use crate::column::{Column, Value};
use crate::compare::{nickname_groups, sound, Letters, Sound};
use crate::normalise::{self, Postcode};

/// The fields of a person, as typed in a source system. Empty strings are
/// the same as missing values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPerson {
    /// Given name (first name, forename).
    pub first_name: String,
    /// Family name (surname, last name).
    pub surname: String,
    /// Date of birth, in any form [`normalise::date`] reads.
    pub date_of_birth: String,
    /// Postcode.
    pub postcode: String,
    /// The address without its town and postcode: its first line, e.g.
    /// "12 High Street" or "Flat 3, Oak House", then any further lines
    /// after line breaks ("12 High Street").
    pub address: String,
    /// Town or locality, e.g. "Riverside".
    pub town: String,
    /// Email address.
    pub email: String,
    /// Phone number.
    pub phone: String,
    /// The values of the columns beyond these, in the order of the
    /// [`Column`]s the records are prepared with.
    pub extra: Vec<String>,
}

/// A name ready for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The name normalised ([`normalise::name`]).
    pub text: String,
    /// How it sounds.
    pub sound: Sound,
    /// The nickname groups it is in.
    pub nicknames: &'static [u16],
    /// Its letters, counted: how alike it could be to another name.
    pub letters: Letters,
}

impl Name {
    fn new(raw: &str) -> Option<Self> {
        let text = normalise::name(raw);
        if text.is_empty() {
            return None;
        }
        Some(Name {
            sound: sound(&text),
            nicknames: nickname_groups(&text),
            letters: Letters::of(&text),
            text,
        })
    }
}

/// A person ready for comparison: each field normalised, or `None` where it
/// was missing or could not be read.
///
/// Names, postcodes, address lines and towns recur across records (a
/// household shares its address, a million records hold some thousands of
/// names), so records prepared together share one copy of each: comparing
/// ten million pairs then reads a few hot values instead of chasing ten
/// million cold ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// Given name.
    pub first_name: Option<Arc<Name>>,
    /// Family name.
    pub surname: Option<Arc<Name>>,
    /// Date of birth.
    pub date_of_birth: Option<Date>,
    /// Date of birth as typed (`YYYYMMDD`), kept also when it is not a
    /// real date, so a mistyped one is still compared.
    pub dob_typed: Option<[u8; 8]>,
    /// Postcode, in its parts.
    pub postcode: Option<Arc<Postcode>>,
    /// The address's words (none when missing).
    pub address: Address,
    /// Town or locality, normalised, without spaces.
    pub town: Option<Arc<str>>,
    /// Email address, lower case.
    pub email: Option<String>,
    /// Phone number, national digits.
    pub phone: Option<String>,
    /// The values of the columns beyond these, read by their kinds.
    pub extra: Box<[Option<Value>]>,
}

impl Person {
    /// Prepares a person for comparison, on the core fields only.
    pub fn prepare(raw: &RawPerson) -> Self {
        Self::prepare_with(raw, &[])
    }

    /// Prepares a person for comparison, with the values of `columns`.
    pub fn prepare_with(raw: &RawPerson, columns: &[Column]) -> Self {
        Person {
            first_name: name(&raw.first_name),
            surname: name(&raw.surname),
            postcode: postcode(&raw.postcode),
            address: address(&raw.address),
            town: town(&raw.town),
            ..Self::own_fields(raw, columns)
        }
    }

    /// Prepares many people, in parallel, each distinct name, postcode,
    /// address line and town once and shared by every record that holds
    /// it (working out how a name sounds is the dearest part of preparing
    /// a record).
    pub fn prepare_all<'a>(
        raw: impl IntoParallelIterator<Item = &'a RawPerson>,
        columns: &[Column],
    ) -> Vec<Self> {
        let raw: Vec<&RawPerson> = raw.into_par_iter().collect();
        let names = shared(
            raw.par_iter()
                .flat_map_iter(|r| [r.first_name.as_str(), r.surname.as_str()]),
            name,
        );
        let postcodes = shared(raw.par_iter().map(|r| r.postcode.as_str()), postcode);
        let addresses = shared(raw.par_iter().map(|r| r.address.as_str()), address);
        let towns = shared(raw.par_iter().map(|r| r.town.as_str()), town);
        raw.par_iter()
            .map(|r| Person {
                first_name: names[r.first_name.as_str()].clone(),
                surname: names[r.surname.as_str()].clone(),
                postcode: postcodes[r.postcode.as_str()].clone(),
                address: addresses[r.address.as_str()].clone(),
                town: towns[r.town.as_str()].clone(),
                ..Self::own_fields(r, columns)
            })
            .collect()
    }

    /// The fields nearly every record has a value of its own for.
    fn own_fields(raw: &RawPerson, columns: &[Column]) -> Self {
        Person {
            date_of_birth: normalise::date(&raw.date_of_birth),
            dob_typed: normalise::date_digits(&raw.date_of_birth),
            email: normalise::email(&raw.email),
            phone: normalise::phone(&raw.phone),
            extra: columns
                .iter()
                .enumerate()
                .map(|(i, c)| raw.extra.get(i).and_then(|v| c.kind.read(v)))
                .collect(),
            ..Person::default()
        }
    }
}

fn name(raw: &str) -> Option<Arc<Name>> {
    Name::new(raw).map(Arc::new)
}

fn postcode(raw: &str) -> Option<Arc<Postcode>> {
    normalise::postcode(raw).map(Arc::new)
}

fn address(raw: &str) -> Address {
    Address::new(raw)
}

/// An address's words, normalised ([`normalise::address`]): its first
/// line's, then its further lines'. Systems split an address over lines
/// differently (a flat on the first and its street on the second, or the
/// street first and the locality after), so all are compared; the first
/// line alone, as every system has it, keys blocking and tells a home.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    words: Arc<[String]>,
    /// How many of `words` are the first line's.
    first_line: u8,
}

impl Address {
    /// The address written `raw`, its lines separated by line breaks.
    pub fn new(raw: &str) -> Self {
        let mut lines = raw.lines().filter(|l| !l.trim().is_empty());
        let mut words = normalise::address(lines.next().unwrap_or_default());
        let first_line = u8::try_from(words.len()).unwrap_or(u8::MAX);
        for line in lines {
            words.extend(normalise::address(line));
        }
        words.truncate(normalise::ADDRESS_TOKENS);
        Address {
            words: words.into(),
            first_line,
        }
    }

    /// All its words, the first line's first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The words of its first line.
    pub fn first_line(&self) -> &[String] {
        &self.words[..usize::from(self.first_line)]
    }

    /// Whether it has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The share of words two addresses have in common
    /// ([`compare::token_overlap`]): of all their lines, or, when one has a
    /// line only, of the first lines where those agree better (one system
    /// leaves out a line the other holds). Two addresses of several lines
    /// each are compared whole: one building's name on two streets is two
    /// homes.
    pub fn overlap(&self, other: &Address) -> f64 {
        let all = crate::compare::token_overlap(self.words(), other.words());
        let one_line = |a: &Address| usize::from(a.first_line) == a.words.len();
        if all >= 1.0 || one_line(self) == one_line(other) {
            return all;
        }
        all.max(crate::compare::token_overlap(
            self.first_line(),
            other.first_line(),
        ))
    }
}

fn town(raw: &str) -> Option<Arc<str>> {
    let town = normalise::text(raw).replace(' ', "");
    (!town.is_empty()).then(|| town.into())
}

/// Each distinct value of `values` prepared once by `prepare`.
fn shared<'a, T: Send>(
    values: impl ParallelIterator<Item = &'a str>,
    prepare: impl Fn(&str) -> T + Sync + Send,
) -> HashMap<&'a str, T, foldhash::fast::FixedState> {
    type Distinct<'a> = HashSet<&'a str, foldhash::fast::FixedState>;
    let distinct = values
        .fold(Distinct::default, |mut seen, v| {
            seen.insert(v);
            seen
        })
        .reduce(Distinct::default, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.extend(b);
            a
        });
    distinct.into_par_iter().map(|v| (v, prepare(v))).collect()
}

/// A person with a name, date of birth and postcode, for tests.
#[cfg(test)]
pub(crate) fn sample(first: &str, surname: &str, dob: &str, postcode: &str) -> Person {
    Person::prepare(&RawPerson {
        first_name: first.into(),
        surname: surname.into(),
        date_of_birth: dob.into(),
        postcode: postcode.into(),
        ..RawPerson::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_keeps_its_first_line_apart_from_the_others() {
        let a = Address::new("Flat 3, Oak House\r\n\n12 Mill St\nRiverside");
        assert_eq!(a.first_line(), ["flat", "3", "oak", "house"]);
        assert_eq!(
            a.words(),
            [
                "flat",
                "3",
                "oak",
                "house",
                "12",
                "mill",
                "street",
                "riverside"
            ]
        );
        // A blank first line: the first line written is the first line.
        assert_eq!(
            Address::new("\n12 Mill St").first_line(),
            ["12", "mill", "street"]
        );
        assert!(Address::new(" \n ").is_empty());
        let long = Address::new(&"word ".repeat(100));
        assert_eq!(long.words().len(), normalise::ADDRESS_TOKENS);
        assert_eq!(long.first_line().len(), normalise::ADDRESS_TOKENS);
    }

    #[test]
    fn two_addresses_share_the_words_of_all_lines_or_of_their_first_lines() {
        let flat = Address::new("Flat 3, Oak House\n12 Mill Street");
        assert_eq!(flat.overlap(&Address::new("Flat 3, Oak House")), 1.0);
        let swapped = Address::new("12 Mill Street\nFlat 3, Oak House");
        assert_eq!(flat.overlap(&swapped), 1.0);
        let other = Address::new("Flat 3, Oak House\n30 Quay Road");
        assert!((flat.overlap(&other) - 0.4).abs() < 1e-9, "4 of 10 words");
    }
}
