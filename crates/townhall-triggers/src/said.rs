//! What a rule found, said in plain English: to the resident ("your bin
//! was not put out on …") and to staff and the recipient ("the bin was not
//! put out on …"). Each firing keeps the words as they were when it fired.

use serde::{Deserialize, Serialize};
use time::Date;
use townhall_consent::{Decision, Ground};
use townhall_types::day;

use crate::rule::{Signal, Window};

/// One thing a rule checked, and whether it held, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked: `signal`, `age`, `record` or `consent`.
    pub fact: String,
    /// Whether it held.
    pub met: bool,
    /// Said to the resident, in the second person, without a full stop.
    pub to_resident: String,
    /// Said to staff and the recipient, without a full stop.
    pub to_staff: String,
}

/// `days` in words: "Thursday 4 March 2027 and Thursday 11 March 2027".
pub fn days(days: &[Date]) -> String {
    let words: Vec<String> = days.iter().map(|d| day::with_weekday(*d)).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What was seen at the home, as `window` met it on `met` (the days that
/// met it; for an absence, the last day the signal was seen, if ever).
pub fn signal(signal: Signal, window: Window, met: &[Date]) -> Check {
    let (yours, theirs) = match (window, signal) {
        (Window::AbsentForDays { days: n }, Signal::BinLifted) => match met.first() {
            Some(last) => (
                format!("your bin has not been emptied since {}", day::long(*last)),
                format!("the bin has not been emptied since {}", day::long(*last)),
            ),
            None => (
                format!("your bin has not been emptied in {n} days"),
                format!("the bin has not been emptied in {n} days"),
            ),
        },
        (Window::AbsentForDays { days: n }, Signal::BinNotPresented) => (
            format!("your bin has been put out at every collection for {n} days"),
            format!("the bin has been put out at every collection for {n} days"),
        ),
        (_, Signal::BinNotPresented) => (
            format!("your bin was not put out on {}", days(met)),
            format!("the bin was not put out on {}", days(met)),
        ),
        (_, Signal::BinLifted) => (
            format!("your bin was emptied on {}", days(met)),
            format!("the bin was emptied on {}", days(met)),
        ),
    };
    Check {
        fact: "signal".into(),
        met: true,
        to_resident: yours,
        to_staff: theirs,
    }
}

/// The resident's age fact: `age` as their records give it, if they do.
pub fn age(at_least: u8, age: Option<i32>) -> Check {
    let (met, to_resident, to_staff) = match age {
        Some(years) if years >= i32::from(at_least) => (
            true,
            format!("you are {at_least} or over"),
            format!("aged {years}, {at_least} or over"),
        ),
        Some(years) => (
            false,
            format!("you are under {at_least}"),
            format!("aged {years}, under {at_least}"),
        ),
        None => (
            false,
            "we do not have your date of birth".into(),
            "no date of birth on record".into(),
        ),
    };
    Check {
        fact: "age".into(),
        met,
        to_resident,
        to_staff,
    }
}

/// A record fact: `system`'s records (named `system_name`) hold `values`
/// for `field`, which must be one of `is`.
pub fn record(system_name: &str, field: &str, is: &[String], values: &[String]) -> Check {
    let field_words = field.replace('_', " ");
    let met = values
        .iter()
        .any(|v| is.iter().any(|w| w.eq_ignore_ascii_case(v.trim())));
    let (to_resident, to_staff) = if met {
        (
            format!(
                "{system_name}'s records show your {field_words} as {}",
                values.join(", ")
            ),
            format!("{system_name}: {field_words} is {}", values.join(", ")),
        )
    } else if values.is_empty() {
        (
            format!("{system_name}'s records do not show your {field_words}"),
            format!("{system_name}: no {field_words} recorded"),
        )
    } else {
        (
            format!(
                "{system_name}'s records show your {field_words} as {}",
                values.join(", ")
            ),
            format!(
                "{system_name}: {field_words} is {}, not {}",
                values.join(", "),
                is.join(" or ")
            ),
        )
    };
    Check {
        fact: "record".into(),
        met,
        to_resident,
        to_staff,
    }
}

/// A consent fact, as the consent decision point answered it (`None`
/// when it could not be asked, and `why_none` says why). Staff read when a
/// resident said yes, for a referral rests on it; of a no, only that it is
/// one.
pub fn consent(title: &str, decision: Option<&Decision>, why_none: &str) -> Check {
    let (met, to_resident, to_staff) = match decision {
        Some(d) if d.ground == Ground::Consented => (
            true,
            format!("{} to “{title}”", d.to_resident),
            format!("“{title}”: {}", d.reason),
        ),
        Some(d) => {
            let why = match d.ground {
                Ground::Withdrawn => "has said no",
                Ground::Ended => "their yes has ended",
                _ => "has not said yes",
            };
            (
                false,
                format!("{} to “{title}”", d.to_resident),
                format!("“{title}”: {why}"),
            )
        }
        None => (
            false,
            format!("we could not ask whether you agreed to “{title}”"),
            format!("“{title}”: {why_none}"),
        ),
    };
    Check {
        fact: "consent".into(),
        met,
        to_resident,
        to_staff,
    }
}

/// A fact left unread because consent was not given: nothing more about the
/// person is looked at.
pub fn unread(fact: &str) -> Check {
    Check {
        fact: fact.into(),
        met: false,
        to_resident: "not looked at, because you had not said yes".into(),
        to_staff: "not read: no consent".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn days_are_listed_as_people_write_them() {
        assert_eq!(days(&[]), "");
        assert_eq!(days(&[date!(2027 - 03 - 04)]), "Thursday 4 March 2027");
        assert_eq!(
            days(&[
                date!(2027 - 03 - 04),
                date!(2027 - 03 - 11),
                date!(2027 - 03 - 18)
            ]),
            "Thursday 4 March 2027, Thursday 11 March 2027 and Thursday 18 March 2027"
        );
    }

    #[test]
    fn a_record_matches_without_case_and_says_what_it_found() {
        let yes = ["yes".to_owned()];
        let c = record("Adult social care", "mobility_need", &yes, &["Yes".into()]);
        assert!(c.met);
        assert_eq!(
            c.to_resident,
            "Adult social care's records show your mobility need as Yes"
        );
        let c = record("Adult social care", "mobility_need", &yes, &["no".into()]);
        assert!(!c.met);
        assert_eq!(
            c.to_staff,
            "Adult social care: mobility need is no, not yes"
        );
        assert!(!record("Adult social care", "mobility_need", &yes, &[]).met);
    }

    #[test]
    fn an_age_is_met_at_the_threshold_and_unknown_is_not_met() {
        assert!(age(70, Some(70)).met);
        assert!(!age(70, Some(69)).met);
        assert!(!age(70, None).met);
    }
}
