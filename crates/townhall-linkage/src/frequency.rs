//! How common each name and postcode is. Two records sharing a rare surname
//! are stronger evidence than two sharing the commonest one, so an exact
//! match on these fields is weighed against how often its value occurs
//! (term-frequency adjustment) rather than against the average.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::blocking::Fnv;
use crate::comparison::Field;
use crate::record::Person;

/// Values and their shares, hashed quickly: looked up for every exact match.
type Shares = HashMap<String, f64, BuildHasherDefault<Fnv>>;

/// The share of records holding each value of the adjusted fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermFrequencies {
    /// One table per field of [`ADJUSTED`], in its order.
    shares: [Shares; 3],
}

/// The fields whose exact matches are adjusted.
pub const ADJUSTED: [Field; 3] = [Field::FirstName, Field::Surname, Field::Postcode];

/// The value of an adjusted field, if the record has one.
pub fn value(field: Field, p: &Person) -> Option<&str> {
    match field {
        Field::FirstName => p.first_name.as_ref().map(|n| n.text.as_str()),
        Field::Surname => p.surname.as_ref().map(|n| n.text.as_str()),
        Field::Postcode => p.postcode.as_ref().map(|c| c.unit.as_str()),
        _ => None,
    }
}

impl TermFrequencies {
    /// Counts the values of `people`.
    pub fn of(people: &[Person]) -> Self {
        let mut shares: [Shares; 3] = Default::default();
        for (field, table) in ADJUSTED.iter().zip(&mut shares) {
            let mut total = 0.0;
            for v in people.iter().filter_map(|p| value(*field, p)) {
                match table.get_mut(v) {
                    Some(n) => *n += 1.0,
                    None => {
                        table.insert(v.to_owned(), 1.0);
                    }
                }
                total += 1.0;
            }
            for n in table.values_mut() {
                *n /= total;
            }
        }
        TermFrequencies { shares }
    }

    /// The share of records with `value` in `field`, if counted.
    pub fn share(&self, field: Field, value: &str) -> Option<f64> {
        let table = ADJUSTED.iter().position(|f| *f == field)?;
        self.shares[table].get(value).copied()
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
        assert_eq!(tf.share(Field::Surname, "smith"), Some(0.75));
        assert_eq!(tf.share(Field::Surname, "featherstonehaugh"), Some(0.25));
        assert_eq!(tf.share(Field::FirstName, "smith"), None);
    }
}
