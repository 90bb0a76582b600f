//! Bookable days (e.g. bulky-waste collections): which days a service runs and
//! how many bookings each day takes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Weekday};

/// A service's `[booking]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    /// Bookings each collection day can take.
    pub capacity_per_day: u32,
    /// The days of the week it runs, e.g. `["tuesday", "thursday"]`.
    pub weekdays: Vec<String>,
    /// The first bookable day, counted from today (default 2: never tomorrow).
    #[serde(default = "two")]
    pub earliest_days_ahead: u32,
    /// The last bookable day, counted from today.
    pub latest_days_ahead: u32,
}

fn two() -> u32 {
    2
}

/// A bookable day and the places left on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// The day.
    pub date: Date,
    /// Places left.
    pub remaining: u32,
}

impl Booking {
    /// The service's days between the earliest and latest bookable, in order.
    pub fn days(&self, today: Date) -> Vec<Date> {
        let runs: Vec<Weekday> = self
            .weekdays
            .iter()
            .filter_map(|w| townhall_types::day::weekday(w))
            .collect();
        (self.earliest_days_ahead..=self.latest_days_ahead)
            .map(|n| today + Duration::days(i64::from(n)))
            .filter(|d| runs.contains(&d.weekday()))
            .collect()
    }

    /// The days with places left, given how many are `booked` on each.
    pub fn available(&self, today: Date, booked: &HashMap<Date, u32>) -> Vec<Slot> {
        self.days(today)
            .into_iter()
            .filter_map(|date| {
                let taken = booked.get(&date).copied().unwrap_or(0);
                let remaining = self.capacity_per_day.saturating_sub(taken);
                (remaining > 0).then_some(Slot { date, remaining })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn only_running_days_with_places_left_are_offered() {
        let b = Booking {
            capacity_per_day: 2,
            weekdays: vec!["tuesday".into(), "thursday".into()],
            earliest_days_ahead: 2,
            latest_days_ahead: 14,
        };
        // Monday 23 November 2026: Tuesday 24th is too soon.
        let today = date!(2026 - 11 - 23);
        let days = b.days(today);
        assert_eq!(days.first(), Some(&date!(2026 - 11 - 26)));
        assert_eq!(
            days,
            [
                date!(2026 - 11 - 26),
                date!(2026 - 12 - 01),
                date!(2026 - 12 - 03)
            ]
        );
        let booked = HashMap::from([(date!(2026 - 11 - 26), 2), (date!(2026 - 12 - 01), 1)]);
        let slots = b.available(today, &booked);
        assert_eq!(
            slots[0],
            Slot {
                date: date!(2026 - 12 - 01),
                remaining: 1
            }
        );
        assert_eq!(slots.len(), 2, "the full day is not offered");
    }
}
