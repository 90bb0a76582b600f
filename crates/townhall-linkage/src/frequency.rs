//! How common each name and home is. Two records sharing a rare surname
//! are stronger evidence than two sharing the commonest one, so an exact
//! match on these fields is weighed against how often its value occurs
//! (term-frequency adjustment) rather than against the average.
//!
//! For where someone lives, the value is the home (postcode and address
//! line): the best level of the place comparison is the same address, and
//! a home many records give (a large household, a care home, a block
//! whose flats are not numbered) says less of which one person a record is.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use rayon::prelude::*;

use crate::comparison::Field;
use crate::record::Person;

/// Values, by a hash of them, and their shares: looked up for every exact
/// match, so without building the value.
type Shares = HashMap<u64, f64, foldhash::fast::FixedState>;

/// For each value of the adjusted fields, the share of the other records
/// that hold it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermFrequencies {
    /// One table per field of [`ADJUSTED`], in its order.
    shares: [Shares; 3],
}

/// The fields whose exact matches are adjusted.
pub const ADJUSTED: [Field; 3] = [Field::FirstName, Field::Surname, Field::Postcode];

/// The value of an adjusted field, as an explanation shows it, if the
/// record has one.
pub fn value(field: Field, p: &Person) -> Option<String> {
    match field {
        Field::FirstName => p.first_name.as_ref().map(|n| n.text.clone()),
        Field::Surname => p.surname.as_ref().map(|n| n.text.clone()),
        Field::Postcode => home(p).map(|(unit, line)| format!("{}, {unit}", line.join(" "))),
        _ => None,
    }
}

/// A record's home: its postcode and address line, when it has both.
fn home(p: &Person) -> Option<(&str, &[String])> {
    let unit = p.postcode.as_deref()?.unit.as_str();
    (!p.address.is_empty()).then(|| (unit, p.address.first_line()))
}

/// The hash of an adjusted field's value, if the record has one.
fn key(field: Field, p: &Person) -> Option<u64> {
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    match field {
        Field::FirstName => h.write(p.first_name.as_ref()?.text.as_bytes()),
        Field::Surname => h.write(p.surname.as_ref()?.text.as_bytes()),
        Field::Postcode => {
            let (unit, line) = home(p)?;
            h.write(unit.as_bytes());
            for token in line {
                h.write_u8(0);
                h.write(token.as_bytes());
            }
        }
        _ => return None,
    }
    Some(h.finish())
}

impl TermFrequencies {
    /// Counts the values of `people`, a field on each core.
    pub fn of(people: &[Person]) -> Self {
        let mut shares: [Shares; 3] = Default::default();
        shares
            .par_iter_mut()
            .zip(ADJUSTED.par_iter())
            .for_each(|(table, field)| {
                let mut total = 0.0f64;
                for k in people.iter().filter_map(|p| key(*field, p)) {
                    *table.entry(k).or_default() += 1.0;
                    total += 1.0;
                }
                // The chance that another record holds the value, counted
                // as at least one: a record arriving later is not counted,
                // and a pair at one home whose lines differ a little has
                // two values each held once; neither is evidence that no
                // one else holds it.
                for n in table.values_mut() {
                    *n = (*n - 1.0).max(1.0) / (total - 1.0).max(1.0);
                }
            });
        TermFrequencies { shares }
    }

    /// The share of the records other than `p` holding `p`'s value of
    /// `field`, if counted.
    pub fn share(&self, field: Field, p: &Person) -> Option<f64> {
        let table = ADJUSTED.iter().position(|f| *f == field)?;
        self.shares[table].get(&key(field, p)?).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawPerson;

    #[test]
    fn shares_are_counted_per_field() {
        let people: Vec<Person> = ["Smith", "Smith", "Smith", "Featherstonehaugh"]
            .iter()
            .map(|s| {
                Person::prepare(&RawPerson {
                    surname: (*s).into(),
                    ..RawPerson::default()
                })
            })
            .collect();
        let tf = TermFrequencies::of(&people);
        // Two of the three others are Smiths; a Featherstonehaugh is
        // counted as held by one other, as one arriving later would be.
        assert_eq!(tf.share(Field::Surname, &people[0]), Some(2.0 / 3.0));
        assert_eq!(tf.share(Field::Surname, &people[3]), Some(1.0 / 3.0));
        assert_eq!(tf.share(Field::FirstName, &people[0]), None);
    }
}
