//! UTC timestamps with one fixed text form, so that they sort as text in any store.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

const STORED: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A stored timestamp could not be read.
#[derive(Debug, thiserror::Error)]
#[error("'{text}' is not a timestamp of the form 2026-01-31T09:30:00.000000Z")]
pub struct TimestampError {
    text: String,
}

/// An instant in UTC, with microsecond precision.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    /// Any date-time, converted to UTC and truncated to microseconds.
    pub fn from_datetime(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(UtcOffset::UTC);
        let micros = utc.microsecond();
        Self(utc.replace_nanosecond(micros * 1_000).unwrap_or(utc))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The fixed text form used in the store and in hashes: `2026-01-31T09:30:00.000000Z`.
    pub fn to_db(&self) -> String {
        self.0.format(STORED).unwrap_or_default()
    }

    /// Reads the fixed text form (and, for convenience, any RFC 3339 timestamp).
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let err = || TimestampError {
            text: text.to_owned(),
        };
        time::PrimitiveDateTime::parse(text, STORED)
            .map(|p| Self(p.assume_utc()))
            .or_else(|_| {
                OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .map(Self::from_datetime)
            })
            .map_err(|_| err())
    }

    /// The underlying date-time.
    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }

    /// This instant moved by `by`.
    pub fn plus(&self, by: Duration) -> Self {
        Self(self.0 + by)
    }

    /// A readable form for pages: `23 November 2026 at 14:05`.
    pub fn human(&self) -> String {
        const HUMAN: &[FormatItem<'static>] =
            format_description!("[day padding:none] [month repr:long] [year] at [hour]:[minute]");
        self.0.format(HUMAN).unwrap_or_default()
    }

    /// The day it is in the United Kingdom at this instant: agreements
    /// start and end, and bins are collected, on UK days. British Summer
    /// Time (UTC+1) runs from 01:00 UTC on the last Sunday of March to
    /// 01:00 UTC on the last Sunday of October (the Summer Time Order
    /// 2002); Greenwich Mean Time (UTC) otherwise.
    pub fn uk_date(&self) -> time::Date {
        let utc = self.0;
        let last_sunday = |month: time::Month| {
            let last = month.length(utc.year());
            time::Date::from_calendar_date(utc.year(), month, last)
                .map(|d| d - time::Duration::days(i64::from(d.weekday().number_days_from_sunday())))
        };
        let summer = match (
            last_sunday(time::Month::March),
            last_sunday(time::Month::October),
        ) {
            (Ok(start), Ok(end)) => {
                let one = time::Time::from_hms(1, 0, 0).unwrap_or(time::Time::MIDNIGHT);
                let (start, end) = (
                    start.with_time(one).assume_utc(),
                    end.with_time(one).assume_utc(),
                );
                utc >= start && utc < end
            }
            _ => false,
        };
        if summer {
            (utc + time::Duration::hours(1)).date()
        } else {
            utc.date()
        }
    }

    /// A readable date for pages: `1 June 2027`.
    pub fn human_date(&self) -> String {
        crate::day::long(self.0.date())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_db())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_db())
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> Self {
        t.to_db()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = TimestampError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// UK days: 23:30 UTC on a summer evening is already
    /// the next day in London; in winter it is not; the changes fall at
    /// 01:00 UTC on the last Sundays of March and October.
    #[test]
    fn days_are_uk_days() {
        let at = |t: &str| Timestamp::parse(t).unwrap().uk_date();
        let day = |d: &str| {
            time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).unwrap()
        };
        assert_eq!(at("2027-07-31T23:30:00Z"), day("2027-08-01"));
        assert_eq!(at("2027-12-31T23:30:00Z"), day("2027-12-31"));
        assert_eq!(at("2027-03-28T00:59:59Z"), day("2027-03-28"));
        assert_eq!(
            at("2027-03-27T23:30:00Z"),
            day("2027-03-27"),
            "still winter time"
        );
        assert_eq!(
            at("2027-03-28T23:30:00Z"),
            day("2027-03-29"),
            "summer time began at 01:00"
        );
        assert_eq!(
            at("2027-10-30T23:30:00Z"),
            day("2027-10-31"),
            "summer time until 01:00 on the 31st"
        );
        assert_eq!(
            at("2027-10-31T23:30:00Z"),
            day("2027-10-31"),
            "winter time again"
        );
    }

    #[test]
    fn stored_form_is_fixed_width_and_round_trips() {
        let t = Timestamp::from_datetime(datetime!(2027-06-01 09:05:03.123456789 +01:00));
        assert_eq!(t.to_db(), "2027-06-01T08:05:03.123456Z");
        assert_eq!(Timestamp::parse(&t.to_db()).unwrap(), t);
    }

    #[test]
    fn text_order_is_time_order() {
        let a = Timestamp::from_datetime(datetime!(2026-01-09 23:59:59 UTC));
        let b = Timestamp::from_datetime(datetime!(2026-01-10 00:00:00 UTC));
        assert!(a.to_db() < b.to_db());
    }

    #[test]
    fn human_forms() {
        let t = Timestamp::from_datetime(datetime!(2027-06-01 14:05 UTC));
        assert_eq!(t.human_date(), "1 June 2027");
        assert_eq!(t.human(), "1 June 2027 at 14:05");
    }

    #[test]
    fn rejects_nonsense() {
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
