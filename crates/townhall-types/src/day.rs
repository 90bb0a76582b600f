//! Days as people read and write them: GOV.UK's style for dates
//! ("14 December 2026", with its weekday "Monday 14 December 2026") and
//! weekdays named in the council's files.

use time::{Date, Weekday};

/// A day as GOV.UK writes it: "14 December 2026".
pub fn long(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// A day with its weekday, as GOV.UK writes it: "Monday 14 December 2026".
pub fn with_weekday(d: Date) -> String {
    format!("{} {}", d.weekday(), long(d))
}

/// The weekday a file names ("Monday", "tuesday"), in any case.
pub fn weekday(name: &str) -> Option<Weekday> {
    use Weekday::*;
    [
        Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
    ]
    .into_iter()
    .find(|d| d.to_string().eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn days_read_as_govuk_writes_them() {
        assert_eq!(long(date!(2026 - 12 - 04)), "4 December 2026");
        assert_eq!(
            with_weekday(date!(2026 - 12 - 14)),
            "Monday 14 December 2026"
        );
    }

    #[test]
    fn weekdays_are_named_in_any_case() {
        assert_eq!(weekday("monday"), Some(Weekday::Monday));
        assert_eq!(weekday("SUNDAY"), Some(Weekday::Sunday));
        assert_eq!(weekday("Mon"), None);
        assert_eq!(weekday(""), None);
    }
}
