//! A person as one system holds them, and the same prepared for comparison:
//! every value normalised once, and what comparisons need (sounds, nickname
//! groups, postcode parts, address tokens) worked out ahead, so that
//! comparing a pair does no parsing.

use std::collections::HashMap;

use rayon::prelude::*;
use time::Date;

use crate::compare::{nickname_groups, sound, Sound};
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
    /// First line of the address, e.g. "12 High Street" or "Flat 3".
    pub address: String,
    /// Town or locality, e.g. "Riverside".
    pub town: String,
    /// Email address.
    pub email: String,
    /// Phone number.
    pub phone: String,
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
            text,
        })
    }
}

/// A person ready for comparison: each field normalised, or `None` where it
/// was missing or could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// Given name.
    pub first_name: Option<Name>,
    /// Family name.
    pub surname: Option<Name>,
    /// Date of birth.
    pub date_of_birth: Option<Date>,
    /// Date of birth as typed (`YYYYMMDD`), kept also when it is not a
    /// real date, so a mistyped one is still compared.
    pub dob_typed: Option<String>,
    /// Postcode, in its parts.
    pub postcode: Option<Postcode>,
    /// First line of the address, as tokens.
    pub address: Vec<String>,
    /// Town or locality, normalised, without spaces.
    pub town: Option<String>,
    /// Email address, lower case.
    pub email: Option<String>,
    /// Phone number, national digits.
    pub phone: Option<String>,
}

impl Person {
    /// Prepares a person for comparison.
    pub fn prepare(raw: &RawPerson) -> Self {
        Self::prepare_with(raw, Name::new(&raw.first_name), Name::new(&raw.surname))
    }

    /// Prepares many people, in parallel. Names recur (a million records
    /// hold some thousands of names), so each distinct name is worked out
    /// once: how it sounds is the dearest part of preparing a record.
    pub fn prepare_all<'a>(raw: impl IntoParallelIterator<Item = &'a RawPerson>) -> Vec<Self> {
        let raw: Vec<&RawPerson> = raw.into_par_iter().collect();
        let mut distinct: Vec<&str> = raw
            .iter()
            .flat_map(|r| [r.first_name.as_str(), r.surname.as_str()])
            .collect();
        distinct.par_sort_unstable();
        distinct.dedup();
        let names: HashMap<&str, Option<Name>> =
            distinct.par_iter().map(|n| (*n, Name::new(n))).collect();
        raw.par_iter()
            .map(|r| {
                let (first, surname) = (&names[r.first_name.as_str()], &names[r.surname.as_str()]);
                Self::prepare_with(r, first.clone(), surname.clone())
            })
            .collect()
    }

    fn prepare_with(raw: &RawPerson, first_name: Option<Name>, surname: Option<Name>) -> Self {
        Person {
            first_name,
            surname,
            date_of_birth: normalise::date(&raw.date_of_birth),
            dob_typed: normalise::date_digits(&raw.date_of_birth),
            postcode: normalise::postcode(&raw.postcode),
            address: normalise::address(&raw.address),
            town: Some(normalise::text(&raw.town).replace(' ', "")).filter(|t| !t.is_empty()),
            email: normalise::email(&raw.email),
            phone: normalise::phone(&raw.phone),
        }
    }
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
