//! Whether a rule's window is met by what was seen of one bin: pure, so a
//! live evaluation and a dry run over history decide alike.

use time::{Date, Duration};

use crate::rule::{Signal, Window};

/// What a collection vehicle reported of one bin on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The day (in the UK).
    pub on: Date,
    /// What it was.
    pub signal: Signal,
}

/// The days that meet `window` for `signal`, as of `today`, from `seen`
/// (one bin's reports, oldest first) and `due` (the days the bin was due
/// for collection up to today, oldest first); none when it is not met.
/// For an absence, the last day the signal was seen.
pub fn met(
    window: Window,
    signal: Signal,
    seen: &[Seen],
    due: &[Date],
    today: Date,
) -> Option<Vec<Date>> {
    let on = |day: Date| seen.iter().rev().find(|s| s.on == day).map(|s| s.signal);
    match window {
        Window::ConsecutiveCollections { times } => {
            let days: Vec<Date> = due.iter().copied().filter(|d| *d <= today).collect();
            let last = days.get(days.len().checked_sub(usize::from(times))?..)?;
            last.iter()
                .all(|day| on(*day) == Some(signal))
                .then(|| last.to_vec())
        }
        Window::WithinDays { times, days } => {
            let from = today - Duration::days(i64::from(days));
            // A day counts once, by its latest report: a vehicle that
            // reports a bin twice on one round has seen it once.
            let mut hits: Vec<Date> = Vec::new();
            for s in seen.iter().filter(|s| s.on > from && s.on <= today) {
                if on(s.on) == Some(signal) && hits.last() != Some(&s.on) {
                    hits.push(s.on);
                }
            }
            (hits.len() >= usize::from(times))
                .then(|| hits[hits.len() - usize::from(times)..].to_vec())
        }
        Window::AbsentForDays { days } => {
            let from = today - Duration::days(i64::from(days));
            // Watched for the whole window: a bin first seen within it has
            // not been absent for so long, only new.
            let watched = seen.first().is_some_and(|s| s.on <= from);
            let last = seen
                .iter()
                .rev()
                .find(|s| s.signal == signal && s.on <= today);
            (watched && last.is_none_or(|s| s.on <= from))
                .then(|| last.map(|s| vec![s.on]).unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use Signal::{BinLifted as Lifted, BinNotPresented as Out};

    fn seen(list: &[(Date, Signal)]) -> Vec<Seen> {
        list.iter()
            .map(|&(on, signal)| Seen { on, signal })
            .collect()
    }

    /// Thursdays in March 2027, as Martin's round collects.
    const DUE: [Date; 4] = [
        date!(2027 - 03 - 04),
        date!(2027 - 03 - 11),
        date!(2027 - 03 - 18),
        date!(2027 - 03 - 25),
    ];

    #[test]
    fn two_consecutive_collections_are_the_last_two_due() {
        let two = Window::ConsecutiveCollections { times: 2 };
        let history = seen(&[(DUE[0], Lifted), (DUE[1], Out), (DUE[2], Out)]);
        assert_eq!(
            met(two, Out, &history, &DUE[..3], DUE[2]),
            Some(vec![DUE[1], DUE[2]])
        );
        // Put out at the one between: not consecutive.
        let history = seen(&[(DUE[0], Out), (DUE[1], Lifted), (DUE[2], Out)]);
        assert_eq!(met(two, Out, &history, &DUE[..3], DUE[2]), None);
        // A collection with no report from the vehicle is not a bin left in.
        let history = seen(&[(DUE[0], Out), (DUE[2], Out)]);
        assert_eq!(met(two, Out, &history, &DUE[..3], DUE[2]), None);
        // Days due after today do not count yet; fewer days due than times is not met.
        let history = seen(&[(DUE[0], Out), (DUE[1], Out)]);
        assert_eq!(
            met(two, Out, &history, &DUE, DUE[1]),
            Some(vec![DUE[0], DUE[1]])
        );
        assert_eq!(met(two, Out, &history, &DUE[..1], DUE[1]), None);
        // A report sent twice for one day reads as its latest.
        let history = seen(&[(DUE[0], Out), (DUE[1], Out), (DUE[1], Lifted)]);
        assert_eq!(met(two, Out, &history, &DUE[..2], DUE[1]), None);
    }

    #[test]
    fn so_many_times_within_so_many_days() {
        let three = Window::WithinDays { times: 3, days: 30 };
        let history = seen(&[
            (date!(2027 - 02 - 01), Out),
            (DUE[0], Out),
            (DUE[1], Lifted),
            (DUE[2], Out),
        ]);
        assert_eq!(
            met(three, Out, &history, &[], DUE[2]),
            None,
            "February 1st is 45 days before"
        );
        let history = seen(&[
            (DUE[0], Out),
            (DUE[1], Lifted),
            (DUE[2], Out),
            (DUE[3], Out),
        ]);
        assert_eq!(
            met(three, Out, &history, &[], DUE[3]),
            Some(vec![DUE[0], DUE[2], DUE[3]])
        );
        // Two reports of one day are one time.
        let history = seen(&[(DUE[0], Out), (DUE[2], Out), (DUE[2], Out)]);
        assert_eq!(met(three, Out, &history, &[], DUE[3]), None);
    }

    #[test]
    fn absence_counts_only_for_a_bin_watched_that_long() {
        let three_weeks = Window::AbsentForDays { days: 21 };
        let history = seen(&[
            (date!(2027 - 02 - 25), Lifted),
            (DUE[0], Out),
            (DUE[1], Out),
            (DUE[2], Out),
        ]);
        assert_eq!(
            met(three_weeks, Lifted, &history, &[], DUE[3]),
            Some(vec![date!(2027 - 02 - 25)])
        );
        assert_eq!(
            met(three_weeks, Lifted, &history, &[], date!(2027 - 03 - 17)),
            None,
            "lifted 20 days before"
        );
        assert_eq!(
            met(three_weeks, Lifted, &history, &[], DUE[2]),
            Some(vec![date!(2027 - 02 - 25)]),
            "lifted 21 days before"
        );
        // A tag first seen a week ago has not been absent for three weeks.
        let new = seen(&[(DUE[2], Out)]);
        assert_eq!(met(three_weeks, Lifted, &new, &[], DUE[3]), None);
        let never = seen(&[(date!(2027 - 02 - 01), Out), (DUE[3], Out)]);
        assert_eq!(met(three_weeks, Lifted, &never, &[], DUE[3]), Some(vec![]));
    }
}
