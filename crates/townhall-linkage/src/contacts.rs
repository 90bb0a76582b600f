//! Contact details held for more than one person. An email address or a
//! phone number proves who someone is only if it is theirs alone: a
//! parent's address on a child's record, or a couple's shared one, is held
//! for two people, and whoever reads that mailbox is only one of them.

use std::collections::{HashMap, HashSet};

use time::Date;

use crate::compare::births_conflict;
use crate::comparison::Field;
use crate::record::Person;

/// The email addresses and phone numbers of a set of records, and which of
/// them are shared: held by records whose dates of birth cannot be one
/// person's ([`births_conflict`]: a swap of day and month, or a typing slip,
/// is one person written twice).
#[derive(Debug, Clone, Default)]
pub struct SharedContacts {
    /// The dates of birth seen with each value (those that cannot be one
    /// person's make it shared, so a few at most).
    born: HashMap<(Field, String), Vec<Date>>,
    /// Values held for more than one person.
    shared: HashSet<(Field, String)>,
}

impl SharedContacts {
    /// The contacts of `people`.
    pub fn of<'a>(people: impl IntoIterator<Item = &'a Person>) -> Self {
        let mut contacts = Self::default();
        for p in people {
            contacts.add(p);
        }
        contacts
    }

    /// Takes in the contacts of `person`. A value stays shared once it is,
    /// even if the record that made it so is withdrawn: a shared address
    /// has shown what it is.
    pub fn add(&mut self, person: &Person) {
        let Some(born) = person.date_of_birth else {
            return;
        };
        for field in [Field::Email, Field::Phone] {
            let Some(value) = value_of(person, field) else {
                continue;
            };
            let key = (field, value.to_owned());
            if self.shared.contains(&key) {
                continue;
            }
            let seen = self.born.entry(key.clone()).or_default();
            if seen.iter().any(|d| births_conflict(*d, born)) {
                self.born.remove(&key);
                self.shared.insert(key);
            } else if !seen.contains(&born) {
                seen.push(born);
            }
        }
    }

    /// Whether `person`'s value of `field` (an email address or a phone
    /// number) is held for more than one person.
    pub fn is_shared(&self, person: &Person, field: Field) -> bool {
        value_of(person, field).is_some_and(|v| self.shared.contains(&(field, v.to_owned())))
    }
}

/// A record's email address or phone number.
fn value_of(person: &Person, field: Field) -> Option<&str> {
    match field {
        Field::Email => person.email.as_deref(),
        Field::Phone => person.phone.as_deref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawPerson;

    fn person(email: &str, born: &str) -> Person {
        Person::prepare(&RawPerson {
            first_name: "Dan".into(),
            surname: "Ashworth".into(),
            date_of_birth: born.into(),
            email: email.into(),
            phone: "07700 900123".into(),
            ..Default::default()
        })
    }

    #[test]
    fn a_value_held_with_two_dates_of_birth_is_shared() {
        let dan = person("dan.ashworth@mail.example", "1980-03-02");
        let lily = person("dan.ashworth@mail.example", "2010-05-05");
        let again = person("dan.ashworth@mail.example", "1980-03-02");
        let alone = SharedContacts::of([&dan, &again]);
        assert!(!alone.is_shared(&dan, Field::Email), "one person's records");
        let family = SharedContacts::of([&dan, &again, &lily]);
        assert!(family.is_shared(&lily, Field::Email));
        assert!(family.is_shared(&dan, Field::Phone));
        // A day and month swapped, or a slip, is one person written twice.
        let swapped =
            SharedContacts::of([&dan, &person("dan.ashworth@mail.example", "1980-02-03")]);
        assert!(!swapped.is_shared(&dan, Field::Email));
        let slip = SharedContacts::of([&dan, &person("dan.ashworth@mail.example", "1981-03-02")]);
        assert!(!slip.is_shared(&dan, Field::Email));
        // A record without a date of birth says nothing either way.
        let undated = SharedContacts::of([&dan, &person("dan.ashworth@mail.example", "")]);
        assert!(!undated.is_shared(&dan, Field::Email));
        assert!(!family.is_shared(&dan, Field::Surname));
    }
}
