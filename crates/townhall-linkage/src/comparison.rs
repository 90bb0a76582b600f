//! Comparisons as data: for each field, the levels of agreement a pair can
//! reach, best first. A pair falls in the first level whose test it passes,
//! in the last ("anything else") when it passes none, and in no level at all
//! when either record lacks the field, which then counts for nothing.

use std::cell::OnceCell;

use serde::{Deserialize, Serialize};

use crate::column::{Column, Value};
use crate::compare::{self, DateAgreement};
use crate::normalise::Postcode;
use crate::record::{Name, Person};

/// A field of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Given name.
    FirstName,
    /// Family name.
    Surname,
    /// Date of birth.
    DateOfBirth,
    /// Postcode.
    Postcode,
    /// First line of the address.
    Address,
    /// Email address.
    Email,
    /// Phone number.
    Phone,
    /// The column beyond the core fields at this place in
    /// [`Person::extra`] (its name is [`Comparison::column`]'s).
    Extra(u8),
}

impl Field {
    /// Its name in explanations and model files (`extra` for a column
    /// beyond the core fields: see [`Comparison::name`]).
    pub fn name(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::Surname => "surname",
            Field::DateOfBirth => "date_of_birth",
            Field::Postcode => "postcode",
            Field::Address => "address",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Extra(_) => "extra",
        }
    }
}

/// One test a pair's values may pass.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "test", content = "at_least")]
pub enum Test {
    /// The same value.
    Exact,
    /// Names that are nicknames of one another (William and Bill).
    Nickname,
    /// First name and surname swapped between the records (each pair of
    /// crossed names at most one typing slip apart, so a swap with a slip
    /// still counts).
    NamesSwapped,
    /// The name found as the other record's other name, in one direction
    /// only (one name moved to the other field, the other replaced).
    NameCrossed,
    /// Jaro–Winkler similarity of at least this much.
    JaroWinkler(f64),
    /// Names that sound alike (Double Metaphone).
    SoundsAlike,
    /// Dates with day and month swapped.
    DateTransposed,
    /// Dates one typing slip apart.
    DateOneTypo,
    /// Dates in the same month of the same year.
    DateSameMonth,
    /// The same address line in the same postcode.
    SameAddress,
    /// The same postcode, with address lines sharing at least this share
    /// of their words (one of them mistyped).
    PostcodeAndLine(f64),
    /// Address lines sharing at least this share of their words, in the
    /// same town (the postcode mistyped, or missing).
    LineAndTown(f64),
    /// Postcodes in the same sector (`RV1 2`).
    PostcodeSector,
    /// Postcodes in the same district (`RV1`).
    PostcodeDistrict,
    /// Address lines sharing at least this share of their tokens.
    TokenOverlap(f64),
    /// The same town or locality.
    SameTown,
    /// Phone numbers ending in the same 6 digits.
    PhoneEnding,
    /// Email addresses with the same part before the `@`.
    EmailLocalPart,
    /// Values at most this many edits apart (Damerau–Levenshtein: a
    /// character added, dropped, changed, or two neighbours swapped).
    DamerauLevenshtein(u8),
    /// Text with the same first letter (a middle name and its initial).
    SameInitial,
    /// Numbers at most this far apart.
    Within(f64),
}

impl Test {
    /// How it reads in an explanation.
    pub fn label(self) -> String {
        match self {
            Test::Exact => "exact match".into(),
            Test::Nickname => "nickname of each other".into(),
            Test::NamesSwapped => "first name and surname swapped".into(),
            Test::NameCrossed => "found as the other record's other name".into(),
            Test::JaroWinkler(t) => format!("Jaro-Winkler similarity at least {t}"),
            Test::SoundsAlike => "sound alike".into(),
            Test::DateTransposed => "day and month swapped".into(),
            Test::DateOneTypo => "one typing slip apart".into(),
            Test::DateSameMonth => "same month and year".into(),
            Test::SameAddress => "same address".into(),
            Test::PostcodeAndLine(t) => {
                format!(
                    "same postcode, at least {:.0}% of address words shared",
                    t * 100.0
                )
            }
            Test::LineAndTown(t) => format!(
                "at least {:.0}% of address words shared, same town",
                t * 100.0
            ),
            Test::SameTown => "same town".into(),
            Test::PostcodeSector => "same postcode sector".into(),
            Test::PostcodeDistrict => "same postcode district".into(),
            Test::TokenOverlap(t) => format!("at least {:.0}% of words shared", t * 100.0),
            Test::PhoneEnding => "same last 6 digits".into(),
            Test::EmailLocalPart => "same name before the @".into(),
            Test::DamerauLevenshtein(1) => "one typing slip apart".into(),
            Test::DamerauLevenshtein(n) => format!("at most {n} typing slips apart"),
            Test::SameInitial => "same initial".into(),
            Test::Within(d) => format!("within {d} of each other"),
        }
    }
}

/// The levels of one field, best first; the level after the last test is
/// "anything else".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The field compared.
    pub field: Field,
    /// The tests, best first.
    pub tests: Vec<Test>,
    /// Whether a household shares the value (a surname, a home phone, a
    /// parent's mobile or email given for a child): between records at one
    /// home it is weighed against how often different people there agree
    /// on it ([`Model::u_home`](crate::model::Model::u_home)), not against
    /// strangers. Disagreeing still counts: two people at one home with
    /// their own phones are two people.
    pub household: bool,
    /// The column compared, for a field beyond the core ones
    /// ([`Field::Extra`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<Column>,
}

/// The level a pair reached: an index into [`Comparison::tests`], or its
/// length for "anything else".
pub type Level = u8;

impl Comparison {
    /// The comparison of the column at `at` in [`Person::extra`], with
    /// `tests` best first.
    pub fn of_column(at: u8, column: Column, tests: Vec<Test>) -> Self {
        Comparison {
            field: Field::Extra(at),
            tests,
            household: false,
            column: Some(column),
        }
    }

    /// Its name in explanations: the field's, or the column's.
    pub fn name(&self) -> &str {
        self.column
            .as_ref()
            .map_or(self.field.name(), |c| c.name.as_str())
    }

    /// How many levels it has, "anything else" included.
    pub fn levels(&self) -> usize {
        self.tests.len() + 1
    }

    /// The label of `level`.
    pub fn level_label(&self, level: Level) -> String {
        self.tests
            .get(usize::from(level))
            .map_or_else(|| "anything else".to_owned(), |t| t.label())
    }

    /// Whether this compares an identifier of a person (an NHS number, a
    /// system's id), which nobody else has: not a UPRN, which everyone at
    /// one home shares.
    pub fn identifies(&self) -> bool {
        self.column.as_ref().is_some_and(|c| c.kind.identifies())
    }

    /// Why `a` and `b` reach no level of this comparison.
    pub fn unweighed(&self, a: &Person, b: &Person) -> &'static str {
        if self.field == Field::Surname && moved_between_fields(a, b) {
            "weighed with the first name (a name moved between fields)"
        } else {
            "a value is missing"
        }
    }

    /// The level `a` and `b` reach; `None` when either lacks the field, or
    /// for the surname when a name moved between fields.
    pub fn level(&self, a: &Person, b: &Person) -> Option<Level> {
        let pair = Pair::of(self.field, a, b)?;
        let hit = self.tests.iter().position(|t| pair.passes(*t));
        Some(u8::try_from(hit.unwrap_or(self.tests.len())).unwrap_or(u8::MAX))
    }
}

/// The two values of one field, both present, with what is worked out once
/// for all the tests.
enum Pair<'a> {
    /// The two names, each record's other name (for swaps), and their
    /// Jaro–Winkler similarity once a test has asked for it (several do).
    Names(
        &'a Name,
        &'a Name,
        Option<&'a Name>,
        Option<&'a Name>,
        OnceCell<f64>,
    ),
    Dates(DateAgreement),
    /// Where the records live: the postcodes, how much of the address
    /// lines they share and whether their towns agree, each `None` when
    /// either record lacks it (at least one is there).
    Place {
        postcodes: Option<(&'a Postcode, &'a Postcode)>,
        overlap: Option<f64>,
        same_town: Option<bool>,
    },
    Address(f64),
    Emails(&'a str, &'a str),
    Phones(&'a str, &'a str),
    Values(&'a Value, &'a Value),
}

impl<'a> Pair<'a> {
    fn of(field: Field, a: &'a Person, b: &'a Person) -> Option<Self> {
        Some(match field {
            Field::FirstName => Pair::Names(
                a.first_name.as_deref()?,
                b.first_name.as_deref()?,
                a.surname.as_deref(),
                b.surname.as_deref(),
                OnceCell::new(),
            ),
            // A name moved to the other field (first name and surname
            // swapped, or one crossed) is one event, which the first name
            // weighs: counted on both, it would count twice, and two
            // namesakes with swapped names would outweigh a different date
            // of birth.
            Field::Surname if moved_between_fields(a, b) => return None,
            Field::Surname => Pair::Names(
                a.surname.as_deref()?,
                b.surname.as_deref()?,
                a.first_name.as_deref(),
                b.first_name.as_deref(),
                OnceCell::new(),
            ),
            Field::DateOfBirth => Pair::Dates(match (a.date_of_birth, b.date_of_birth) {
                (Some(x), Some(y)) => compare::dates(x, y),
                // One is not a real date: all that can be said is how far
                // apart the digits are.
                _ => {
                    let (x, y) = (a.dob_typed.as_ref()?, b.dob_typed.as_ref()?);
                    if x == y {
                        DateAgreement::Exact
                    } else if compare::within_one_edit(x, y) {
                        DateAgreement::OneTypo
                    } else {
                        DateAgreement::Different
                    }
                }
            }),
            Field::Postcode => {
                let postcodes = a.postcode.as_deref().zip(b.postcode.as_deref());
                let overlap = (!a.address.is_empty() && !b.address.is_empty())
                    .then(|| a.address.overlap(&b.address));
                let same_town = a
                    .town
                    .as_deref()
                    .zip(b.town.as_deref())
                    .map(|(x, y)| compare::same_town(x, y));
                if postcodes.is_none() && overlap.is_none() {
                    // A town alone says nothing of who someone is.
                    return None;
                }
                Pair::Place {
                    postcodes,
                    overlap,
                    same_town,
                }
            }
            Field::Address if a.address.is_empty() || b.address.is_empty() => return None,
            Field::Address => Pair::Address(a.address.overlap(&b.address)),
            Field::Email => Pair::Emails(a.email.as_deref()?, b.email.as_deref()?),
            Field::Phone => Pair::Phones(a.phone.as_deref()?, b.phone.as_deref()?),
            Field::Extra(at) => {
                let at = usize::from(at);
                Pair::Values(a.extra.get(at)?.as_ref()?, b.extra.get(at)?.as_ref()?)
            }
        })
    }

    fn passes(&self, test: Test) -> bool {
        match (self, test) {
            (Pair::Names(a, b, ..), Test::Exact) => same(*a, *b),
            (Pair::Names(a, b, ..), Test::Nickname) => compare::nicknames(a.nicknames, b.nicknames),
            (Pair::Names(a, b, Some(a_other), Some(b_other), _), Test::NamesSwapped) => {
                alike(&a.text, &b_other.text) && alike(&a_other.text, &b.text)
            }
            (Pair::Names(a, b, a_other, b_other, _), Test::NameCrossed) => {
                b_other.is_some_and(|o| alike(&a.text, &o.text))
                    || a_other.is_some_and(|o| alike(&o.text, &b.text))
            }
            (Pair::Names(a, b, .., similarity), Test::JaroWinkler(min)) => {
                compare::jaro_winkler_could_reach((&a.text, &a.letters), (&b.text, &b.letters), min)
                    && *similarity.get_or_init(|| compare::jaro_winkler(&a.text, &b.text)) >= min
            }
            (Pair::Names(a, b, ..), Test::SoundsAlike) => compare::sounds_alike(&a.sound, &b.sound),
            (Pair::Dates(agreement), test) => {
                let wanted = match test {
                    Test::Exact => DateAgreement::Exact,
                    Test::DateTransposed => DateAgreement::Transposed,
                    Test::DateOneTypo => DateAgreement::OneTypo,
                    Test::DateSameMonth => DateAgreement::SameMonth,
                    _ => return false,
                };
                *agreement == wanted
            }
            (
                Pair::Place {
                    postcodes,
                    overlap,
                    same_town,
                },
                test,
            ) => {
                let unit = postcodes.is_some_and(|(a, b)| same(a, b));
                let shared = |min: f64| overlap.is_some_and(|o| o >= min);
                match test {
                    Test::SameAddress => unit && shared(1.0),
                    Test::PostcodeAndLine(min) => unit && shared(min),
                    Test::Exact => unit,
                    Test::LineAndTown(min) => shared(min) && *same_town == Some(true),
                    Test::TokenOverlap(min) => shared(min),
                    Test::PostcodeSector => postcodes.is_some_and(|(a, b)| a.sector == b.sector),
                    Test::PostcodeDistrict => {
                        postcodes.is_some_and(|(a, b)| a.district == b.district)
                    }
                    Test::SameTown => *same_town == Some(true),
                    _ => false,
                }
            }
            (Pair::Address(overlap), Test::Exact) => *overlap >= 1.0,
            (Pair::Address(overlap), Test::TokenOverlap(min)) => *overlap >= min,
            (Pair::Emails(a, b), Test::Exact) => a == b,
            (Pair::Emails(a, b), Test::EmailLocalPart) => {
                a.split('@').next() == b.split('@').next()
            }
            (Pair::Emails(a, b), Test::JaroWinkler(min)) => {
                let (la, lb) = (compare::Letters::of(a), compare::Letters::of(b));
                compare::jaro_winkler_could_reach((a, &la), (b, &lb), min)
                    && compare::jaro_winkler(a, b) >= min
            }
            (Pair::Phones(a, b), Test::Exact) => a == b,
            (Pair::Phones(a, b), Test::PhoneEnding) => ending(a) == ending(b),
            (Pair::Values(a, b), test) => values_pass(a, b, test),
            _ => false,
        }
    }
}

/// Whether two values of a column beyond the core fields pass `test`.
fn values_pass(a: &Value, b: &Value, test: Test) -> bool {
    match (a, b, test) {
        (a, b, Test::Exact) => same(a, b),
        (Value::Text(a), Value::Text(b), Test::DamerauLevenshtein(1)) => {
            compare::within_one_edit(a.as_bytes(), b.as_bytes())
        }
        (Value::Text(a), Value::Text(b), Test::DamerauLevenshtein(n)) => {
            strsim::damerau_levenshtein(a, b) <= usize::from(n)
        }
        (Value::Text(a), Value::Text(b), Test::JaroWinkler(min)) => {
            let (la, lb) = (compare::Letters::of(a), compare::Letters::of(b));
            compare::jaro_winkler_could_reach((a, &la), (b, &lb), min)
                && compare::jaro_winkler(a, b) >= min
        }
        (Value::Text(a), Value::Text(b), Test::SameInitial) => a.bytes().next() == b.bytes().next(),
        (Value::Number(a), Value::Number(b), Test::Within(d)) => (a - b).abs() <= d,
        (Value::Date { date: a, typed: x }, Value::Date { date: b, typed: y }, test) => {
            let agreement = match (a, b) {
                (Some(a), Some(b)) => compare::dates(*a, *b),
                _ if x == y => DateAgreement::Exact,
                _ if compare::within_one_edit(x, y) => DateAgreement::OneTypo,
                _ => DateAgreement::Different,
            };
            agreement
                == match test {
                    Test::DateTransposed => DateAgreement::Transposed,
                    Test::DateOneTypo => DateAgreement::OneTypo,
                    Test::DateSameMonth => DateAgreement::SameMonth,
                    _ => return false,
                }
        }
        _ => false,
    }
}

/// Whether two records give the same home: one postcode and address lines
/// sharing at least half their words; or, whatever the postcodes (one
/// missing or mistyped), every word of one line found in the other
/// (`17 Hudson Rise` and `Flat 10, 17 Hudson Rise`), when each line names
/// a home by a number and a word: `Hudson Rise` alone, or `17` alone, is
/// many homes.
pub fn same_home(a: &Person, b: &Person) -> bool {
    if a.address.is_empty() || b.address.is_empty() {
        return false;
    }
    let postcode = a
        .postcode
        .as_deref()
        .zip(b.postcode.as_deref())
        .is_some_and(|(x, y)| same(x, y));
    let names_a_home = |line: &[String]| {
        line.iter().any(|t| t.bytes().any(|c| c.is_ascii_digit()))
            && line
                .iter()
                .any(|t| t.bytes().all(|c| c.is_ascii_alphabetic()))
    };
    let (x, y) = (a.address.first_line(), b.address.first_line());
    (postcode && a.address.overlap(&b.address) >= 0.5)
        || (names_a_home(x) && names_a_home(y) && compare::within(x, y))
}

/// Whether two values are equal; records prepared together share one copy
/// of each, so most equal values are the very same one.
fn same<T: PartialEq + ?Sized>(a: &T, b: &T) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Names one typing slip apart at most (a letter added, dropped, changed
/// or two swapped). Not Jaro–Winkler: it rewards a shared beginning, and
/// "Jack" would be crossed with "Jackson".
fn alike(a: &str, b: &str) -> bool {
    compare::within_one_edit(a, b)
}

/// Whether a name of one record is found in the other field of the other
/// (swapped or crossed), while neither field agrees as it stands.
fn moved_between_fields(a: &Person, b: &Person) -> bool {
    let (Some(a_first), Some(b_first), Some(a_surname), Some(b_surname)) = (
        a.first_name.as_deref(),
        b.first_name.as_deref(),
        a.surname.as_deref(),
        b.surname.as_deref(),
    ) else {
        return false;
    };
    !alike(&a_first.text, &b_first.text)
        && !alike(&a_surname.text, &b_surname.text)
        && (alike(&a_first.text, &b_surname.text) || alike(&a_surname.text, &b_first.text))
}

/// The last 6 digits of a phone number.
fn ending(phone: &str) -> &str {
    &phone[phone.len().saturating_sub(6)..]
}

/// The comparisons for people in council systems: names with typos,
/// nicknames, swaps and sounds; dates of birth with swapped and mistyped
/// digits; where they live, from the same address down to the postcode
/// district; email and phone.
pub fn people() -> Vec<Comparison> {
    vec![
        Comparison {
            field: Field::FirstName,
            tests: vec![
                Test::Exact,
                Test::NamesSwapped,
                Test::Nickname,
                Test::JaroWinkler(0.92),
                Test::JaroWinkler(0.8),
                Test::SoundsAlike,
                Test::NameCrossed,
            ],
            household: false,
            column: None,
        },
        Comparison {
            field: Field::Surname,
            tests: vec![
                Test::Exact,
                Test::JaroWinkler(0.92),
                Test::JaroWinkler(0.8),
                Test::SoundsAlike,
            ],
            household: true,
            column: None,
        },
        Comparison {
            field: Field::DateOfBirth,
            tests: vec![
                Test::Exact,
                Test::DateTransposed,
                Test::DateOneTypo,
                Test::DateSameMonth,
            ],
            household: false,
            column: None,
        },
        // Where someone lives, as one comparison: an address line and its
        // postcode agree together, and counting them apart would count the
        // same evidence twice (every family at one address would link).
        Comparison {
            field: Field::Postcode,
            tests: vec![
                Test::SameAddress,
                Test::PostcodeAndLine(0.5),
                Test::Exact,
                Test::LineAndTown(0.5),
                Test::TokenOverlap(1.0),
                Test::TokenOverlap(0.5),
                Test::PostcodeSector,
                Test::PostcodeDistrict,
                Test::SameTown,
            ],
            household: false,
            column: None,
        },
        Comparison {
            field: Field::Email,
            tests: vec![Test::Exact, Test::EmailLocalPart, Test::JaroWinkler(0.9)],
            household: true,
            column: None,
        },
        Comparison {
            field: Field::Phone,
            tests: vec![Test::Exact, Test::PhoneEnding],
            household: true,
            column: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::sample as person;

    fn level_of(field: Field, a: &Person, b: &Person) -> Option<String> {
        let c = people().into_iter().find(|c| c.field == field).unwrap();
        c.level(a, b).map(|l| c.level_label(l))
    }

    #[test]
    fn pairs_fall_in_the_first_level_they_reach() {
        let martin = person("Martin", "Hughes", "1952-04-11", "RV1 2AB");
        let cases = [
            (
                person("martin", "HUGHES", "11/04/1952", "rv12ab"),
                ["exact match"; 4],
            ),
            (
                person("Marty", "Hughs", "1952-11-04", "RV1 2XY"),
                [
                    "nickname of each other",
                    "Jaro-Winkler similarity at least 0.92",
                    "day and month swapped",
                    "same postcode sector",
                ],
            ),
            (
                person("Martn", "Hewes", "1952-04-12", "RV1 9ZZ"),
                [
                    "Jaro-Winkler similarity at least 0.92",
                    "sound alike",
                    "one typing slip apart",
                    "same postcode district",
                ],
            ),
            (
                person("Priya", "Shah", "1980-01-30", "XY9 9ZZ"),
                ["anything else"; 4],
            ),
        ];
        let fields = [
            Field::FirstName,
            Field::Surname,
            Field::DateOfBirth,
            Field::Postcode,
        ];
        for (other, expected) in cases {
            for (field, want) in fields.iter().zip(expected) {
                assert_eq!(
                    level_of(*field, &martin, &other).as_deref(),
                    Some(want),
                    "{field:?} of {other:?}"
                );
            }
        }
    }

    /// A swap is weighed once, on the first name: the surname of the pair
    /// is not weighed, and says why.
    fn weighed_once(a: &Person, b: &Person, level: &str) {
        assert_eq!(level_of(Field::FirstName, a, b).as_deref(), Some(level));
        assert_eq!(level_of(Field::Surname, a, b), None);
        let surname = people()
            .into_iter()
            .find(|c| c.field == Field::Surname)
            .unwrap();
        assert_eq!(
            surname.unweighed(a, b),
            "weighed with the first name (a name moved between fields)"
        );
    }

    #[test]
    fn swapped_names_are_recognised_and_weighed_once() {
        let a = person("Ryan", "Clarke", "1994-09-03", "");
        let b = person("Clarke", "Ryan", "1994-09-03", "");
        weighed_once(&a, &b, "first name and surname swapped");
        weighed_once(&b, &a, "first name and surname swapped");
    }

    #[test]
    fn a_swap_with_a_typing_slip_is_still_a_swap_and_a_moved_name_is_crossed() {
        let a = person("Angie", "Webb", "1932-05-23", "");
        weighed_once(
            &a,
            &person("Webbw", "Angie", "", ""),
            "first name and surname swapped",
        );
        // The surname moved to the first name, and another surname typed.
        let moved = person("Webb", "Lomman", "", "");
        weighed_once(&a, &moved, "found as the other record's other name");
        // A surname that is also a first name, with the first names alike,
        // moved nothing: both are weighed.
        let b = person("Angi", "Angie", "", "");
        assert_eq!(
            level_of(Field::Surname, &a, &b).as_deref(),
            Some("anything else")
        );
        // Two people of one family are not crossed, even when a first name
        // begins like the surname.
        for child in [
            person("Connor", "Webb", "", ""),
            person("Webber", "Webb", "", ""),
        ] {
            assert_eq!(
                level_of(Field::FirstName, &a, &child).as_deref(),
                Some("anything else")
            );
        }
    }

    #[test]
    fn one_home_is_one_postcode_and_most_of_one_address_line() {
        let at = |postcode: &str, address: &str| {
            Person::prepare(&crate::record::RawPerson {
                first_name: "Lily".into(),
                surname: "Lee".into(),
                postcode: postcode.into(),
                address: address.into(),
                ..Default::default()
            })
        };
        let home = at("RV3 8AY", "13 Rowan Terrace");
        assert!(same_home(&home, &at("rv38ay", "13 ROWAN TERRACE")));
        assert!(same_home(&home, &at("RV3 8AY", "13 Rowan Terr")));
        assert!(!same_home(&home, &at("RV3 8AY", "27 Birch Close")));
        assert!(
            same_home(&home, &at("RV9 1ZZ", "13 Rowan Terrace")),
            "postcode mistyped"
        );
        assert!(
            same_home(&home, &at("", "Flat 2, 13 Rowan Terrace")),
            "flat left out"
        );
        assert!(!same_home(&home, &at("", "15 Rowan Terrace")));
        // Without one postcode, a street alone or a number alone is no home.
        assert!(!same_home(
            &at("", "Rowan Terrace"),
            &at("RV9 1ZZ", "13 Rowan Terrace")
        ));
        assert!(!same_home(
            &at("RV9 1ZZ", "13"),
            &at("", "13 Rowan Terrace")
        ));
        assert!(!same_home(&home, &at("RV3 8AY", "")));
    }

    #[test]
    fn an_address_is_compared_over_all_its_lines_and_a_line_left_out_costs_nothing() {
        let at = |address: &str| {
            Person::prepare(&crate::record::RawPerson {
                postcode: "RV3 8AY".into(),
                address: address.into(),
                town: "Riverside".into(),
                ..Default::default()
            })
        };
        let flat = at("Flat 3, Oak House\n12 Mill Street");
        // The street on the other line (FEBRL4's rec-1289: lines swapped,
        // the house number changed) still shares most words.
        assert_eq!(
            level_of(
                Field::Postcode,
                &flat,
                &at("Oak House\nFlat 3 14 Mill Street")
            )
            .as_deref(),
            Some("same postcode, at least 50% of address words shared")
        );
        // One system leaves the second line out: as alike as the first lines.
        assert_eq!(
            level_of(Field::Postcode, &flat, &at("Flat 3, Oak House")).as_deref(),
            Some("same address")
        );
        assert_eq!(
            level_of(
                Field::Postcode,
                &flat,
                &at("Flat 4, Elm House\n30 Quay Road")
            )
            .as_deref(),
            Some("exact match")
        );
        assert!(same_home(&flat, &at("Flat 3, Oak House")));
    }

    #[test]
    fn a_missing_value_reaches_no_level() {
        let a = person("Martin", "", "", "not a postcode");
        let b = person("Martin", "Hughes", "1952-04-11", "RV1 2AB");
        assert_eq!(level_of(Field::Surname, &a, &b), None);
        assert_eq!(level_of(Field::DateOfBirth, &a, &b), None);
        assert_eq!(level_of(Field::Postcode, &a, &b), None);
        assert_eq!(level_of(Field::Email, &a, &b), None);
        assert!(level_of(Field::FirstName, &a, &b).is_some());
    }
}
