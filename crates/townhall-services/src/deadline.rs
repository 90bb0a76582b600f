//! Service-level deadlines: "48 hours", "10 days", "5 working days".

use std::fmt;

use serde::{Serialize, Serializer};
use time::{Duration, OffsetDateTime, Weekday};

/// How long the council gives itself to finish a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Clock hours.
    Hours(u32),
    /// Calendar days.
    Days(u32),
    /// Monday to Friday days.
    WorkingDays(u32),
}

impl Deadline {
    /// Reads "N hours", "N days" or "N working days" (N from 1 to 365).
    pub fn parse(text: &str) -> Result<Self, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let bad = || {
            format!(
                "deadline '{text}' must be like \"48 hours\", \"10 days\" or \"5 working days\""
            )
        };
        let (n, unit) = match words.as_slice() {
            [n, unit] => (n, *unit),
            [n, "working", unit] if unit.starts_with("day") => (n, "working days"),
            _ => return Err(bad()),
        };
        let n: u32 = n
            .parse()
            .ok()
            .filter(|n| (1..=365 * 24).contains(n))
            .ok_or_else(bad)?;
        match unit {
            "hour" | "hours" => Ok(Deadline::Hours(n)),
            "day" | "days" if n <= 365 => Ok(Deadline::Days(n)),
            "working days" if n <= 365 => Ok(Deadline::WorkingDays(n)),
            _ => Err(bad()),
        }
    }

    /// When a case opened at `from` is due.
    pub fn due(&self, from: OffsetDateTime) -> OffsetDateTime {
        match *self {
            Deadline::Hours(n) => from + Duration::hours(i64::from(n)),
            Deadline::Days(n) => from + Duration::days(i64::from(n)),
            Deadline::WorkingDays(n) => {
                let mut at = from;
                let mut left = n;
                while left > 0 {
                    at += Duration::days(1);
                    if !matches!(at.weekday(), Weekday::Saturday | Weekday::Sunday) {
                        left -= 1;
                    }
                }
                at
            }
        }
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = match *self {
            Deadline::Hours(n) => (n, "hour"),
            Deadline::Days(n) => (n, "day"),
            Deadline::WorkingDays(n) => (n, "working day"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

impl Serialize for Deadline {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn deadlines_are_read_and_counted() {
        assert_eq!(
            Deadline::parse("5 working days"),
            Ok(Deadline::WorkingDays(5))
        );
        assert_eq!(Deadline::parse("1 day"), Ok(Deadline::Days(1)));
        assert_eq!(Deadline::parse("48 hours"), Ok(Deadline::Hours(48)));
        assert!(Deadline::parse("soon")
            .unwrap_err()
            .contains("must be like"));
        assert!(Deadline::parse("0 days").is_err());
        // Friday + 1 working day is Monday.
        let friday = datetime!(2026-11-27 10:00 UTC);
        assert_eq!(
            Deadline::WorkingDays(1).due(friday),
            datetime!(2026-11-30 10:00 UTC)
        );
        assert_eq!(
            Deadline::WorkingDays(5).due(friday),
            datetime!(2026-12-04 10:00 UTC)
        );
        assert_eq!(Deadline::WorkingDays(5).to_string(), "5 working days");
    }
}
