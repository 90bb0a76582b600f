//! How common each name and postcode is. Two records sharing a rare surname
//! are stronger evidence than two sharing the commonest one, so an exact
//! match on these fields is weighed against how often its value occurs
//! (term-frequency adjustment) rather than against the average.

use std::collections::HashMap;

use crate::comparison::Field;
use crate::record::Person;

/// The share of records holding each value of the adjusted fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermFrequencies {
    shares: HashMap<(Field, String), f64>,
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
        let mut counts: HashMap<(Field, String), f64> = HashMap::new();
        let mut totals: HashMap<Field, f64> = HashMap::new();
        for p in people {
            for field in ADJUSTED {
                if let Some(v) = value(field, p) {
                    *counts.entry((field, v.to_owned())).or_default() += 1.0;
                    *totals.entry(field).or_default() += 1.0;
                }
            }
        }
        let shares = counts
            .into_iter()
            .map(|((field, v), n)| {
                let total = totals.get(&field).copied().unwrap_or(1.0);
                ((field, v), n / total)
            })
            .collect();
        TermFrequencies { shares }
    }

    /// The share of records with `value` in `field`, if counted.
    pub fn share(&self, field: Field, value: &str) -> Option<f64> {
        self.shares.get(&(field, value.to_owned())).copied()
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
