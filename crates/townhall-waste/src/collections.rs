//! The council's collection rounds, read from `waste.toml`:
//!
//! ```toml
//! version = 1
//!
//! [[containers]]            # what is emptied (the standards' ContainerType)
//! id = "general"
//! name = "General waste"
//! description = "grey 240 litre bin"
//!
//! [[rounds]]                # a round: one container, one weekday
//! id = "general-monday"
//! container = "general"
//! day = "monday"
//! every_weeks = 2           # 1 (weekly) to 4
//! first = 2027-01-04        # its first collection day, a Monday
//! wards = ["RV01"]          # every street in these wards…
//! streets = [{ street = "Clarence Close", district = "RV4" }]  # …or these
//!
//! [[changes]]               # a collection moved, e.g. for a bank holiday
//! instead_of = 2027-12-27
//! on = 2027-12-29
//! reason = "Christmas"
//! ```
//!
//! A home is collected by the round that names its street (its first line
//! without the house number, and its postcode's outward code), or else by
//! the round that covers its ward: one round per container, which loading
//! checks.

use serde::Deserialize;
use time::{Date, Weekday};
use toml::Spanned;
use townhall_places::Address;
use townhall_types::{is_config_id, SourceError, SourceText};

/// Something a council empties: a bin, a box, a caddy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// Its id, e.g. `recycling`, as services' questions name it.
    pub id: String,
    /// Its name, e.g. "Mixed recycling".
    pub name: String,
    /// What it looks like, e.g. "blue 240 litre bin".
    pub description: String,
}

/// A street, as a round names it: its name and its postcode district (the
/// outward code), since one name is often given to streets in several
/// towns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Street {
    /// Its name, e.g. "Clarence Close".
    pub street: String,
    /// Its postcode district, e.g. `RV4`.
    pub district: String,
}

impl Street {
    /// Whether `address` is on it: its postcode's outward code is the
    /// street's district, and its first line holds the street's name as a
    /// whole, ending a part of the line ("22 Clarence Close", "Flat 3, Mill
    /// House, Clarence Close", "12 Clarence Close, Upper Riverside"), in
    /// any case and with or without full stops ("St. Mary's Road").
    pub fn covers(&self, address: &Address) -> bool {
        let district = address.postcode.split_whitespace().next().unwrap_or("");
        if !district.eq_ignore_ascii_case(self.district.trim()) {
            return false;
        }
        let name = words(&self.street);
        !name.is_empty()
            && address.line1.split(',').any(|part| {
                words(part)
                    .strip_suffix(&name)
                    .is_some_and(|before| before.is_empty() || before.ends_with(' '))
            })
    }

    fn same(&self, other: &Street) -> bool {
        words(&self.street) == words(&other.street)
            && self
                .district
                .trim()
                .eq_ignore_ascii_case(other.district.trim())
    }
}

/// Text as streets are compared: lower case, without full stops, its
/// words one space apart.
fn words(text: &str) -> String {
    text.to_lowercase()
        .replace('.', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `district` is a postcode's outward code, such as `RV4` or
/// `SW1A`.
fn is_district(district: &str) -> bool {
    let b = district.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    (1..=2).contains(&letters)
        && b.len() > letters
        && b.len() <= letters + 2
        && b[letters].is_ascii_digit()
        && b[letters..].iter().all(u8::is_ascii_alphanumeric)
}

/// A collection round: one container, emptied on one weekday every so many
/// weeks, in the wards and streets it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Its id, e.g. `general-monday`.
    pub id: String,
    /// The container it empties, by id.
    pub container: String,
    /// Its weekday.
    pub day: Weekday,
    /// How many weeks apart its collections are: 1 weekly, 2 fortnightly.
    pub every_weeks: u8,
    /// Its first collection day, from which the others are counted.
    pub first: Date,
    /// The wards it covers, by code.
    pub wards: Vec<String>,
    /// The streets it covers, whatever their ward.
    pub streets: Vec<Street>,
}

impl Round {
    /// Its scheduled day on or after `day`, before any change: never
    /// before its first, so a round that starts next month promises
    /// nothing this month.
    fn scheduled_from(&self, day: Date) -> Date {
        if day <= self.first {
            return self.first;
        }
        let period = i64::from(self.every_weeks) * 7;
        let since = (day - self.first).whole_days();
        let ahead = since.rem_euclid(period);
        let ahead = if ahead == 0 { 0 } else { period - ahead };
        day + time::Duration::days(ahead)
    }

    /// Whether `day` is one of its scheduled days, before any change.
    pub fn scheduled_on(&self, day: Date) -> bool {
        self.scheduled_from(day) == day
    }
}

/// A collection moved to another day (for a bank holiday).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The day it was due.
    pub instead_of: Date,
    /// The day it happens.
    pub on: Date,
    /// Why, for residents, e.g. "Christmas".
    pub reason: String,
}

/// A home's next collection of one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next<'a> {
    /// The container.
    pub container: &'a Container,
    /// The round.
    pub round: &'a Round,
    /// The day.
    pub on: Date,
    /// Why it is not on its usual day, if it is moved.
    pub moved: Option<&'a Change>,
}

/// The council's containers, rounds and changes, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collections {
    /// What it empties, in the file's order.
    pub containers: Vec<Container>,
    /// Its rounds.
    pub rounds: Vec<Round>,
    /// Collections moved.
    pub changes: Vec<Change>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: Spanned<u32>,
    #[serde(default)]
    containers: Vec<Spanned<ContainerEntry>>,
    #[serde(default)]
    rounds: Vec<Spanned<RoundEntry>>,
    #[serde(default)]
    changes: Vec<Spanned<ChangeEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContainerEntry {
    id: String,
    name: String,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundEntry {
    id: String,
    container: Spanned<String>,
    day: Spanned<String>,
    every_weeks: Spanned<u8>,
    first: Spanned<toml::value::Datetime>,
    wards: Option<Spanned<Vec<String>>>,
    streets: Option<Spanned<Vec<Street>>>,
}

impl RoundEntry {
    /// Its wards, and where they are written (or the round, if nowhere).
    fn wards(&self, round: usize) -> (&[String], usize) {
        self.wards.as_ref().map_or((&[][..], round), |w| {
            (w.get_ref().as_slice(), w.span().start)
        })
    }

    /// Its streets, and where they are written (or the round, if nowhere).
    fn streets(&self, round: usize) -> (&[Street], usize) {
        self.streets.as_ref().map_or((&[][..], round), |s| {
            (s.get_ref().as_slice(), s.span().start)
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeEntry {
    instead_of: Spanned<toml::value::Datetime>,
    on: Spanned<toml::value::Datetime>,
    reason: String,
}

/// A TOML date as a day, or why not.
fn day_of(value: &toml::value::Datetime) -> Option<Date> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => {
            Date::from_calendar_date(i32::from(d.year), d.month.try_into().ok()?, d.day).ok()
        }
        _ => None,
    }
}

impl Collections {
    /// Reads and checks `waste.toml`'s text (`file` names it in errors)
    /// against the council's `wards`, by code.
    pub fn parse(file: &str, text: &str, wards: &[&str]) -> Result<Self, SourceError> {
        let source = SourceText::new(file, text);
        let err = |offset: usize, message: String| source.error(offset, message);
        let parsed: File = toml::from_str(text)
            .map_err(|e| source.unreadable(e.span().map(|s| s.start), e.message()))?;
        source.version_one(*parsed.version.get_ref(), parsed.version.span().start)?;
        let mut containers: Vec<Container> = Vec::new();
        for entry in &parsed.containers {
            let at = entry.span().start;
            let c = entry.get_ref();
            if !is_config_id(&c.id) {
                return Err(err(
                    at,
                    format!(
                        "container id '{}' must be lower-case letters, digits and hyphens",
                        c.id
                    ),
                ));
            }
            if containers.iter().any(|k| k.id == c.id) {
                return Err(err(at, format!("container '{}' is named twice", c.id)));
            }
            if c.name.trim().is_empty() {
                return Err(err(at, format!("container '{}' needs a name", c.id)));
            }
            containers.push(Container {
                id: c.id.clone(),
                name: c.name.trim().to_owned(),
                description: c.description.trim().to_owned(),
            });
        }
        let mut rounds: Vec<Round> = Vec::new();
        for entry in &parsed.rounds {
            let round = Self::round(entry, &containers, wards, &err)?;
            if rounds.iter().any(|r| r.id == round.id) {
                return Err(err(
                    entry.span().start,
                    format!("round '{}' is named twice", round.id),
                ));
            }
            // One round per container for any home: a ward or a street in
            // two rounds of one container would leave its day in doubt.
            for other in rounds.iter().filter(|r| r.container == round.container) {
                if let Some(ward) = round.wards.iter().find(|w| other.wards.contains(w)) {
                    return Err(err(
                        entry.get_ref().wards(entry.span().start).1,
                        format!(
                            "ward '{ward}' is already in round '{}' for {}",
                            other.id, round.container
                        ),
                    ));
                }
                if let Some(street) = round
                    .streets
                    .iter()
                    .find(|s| other.streets.iter().any(|o| o.same(s)))
                {
                    return Err(err(
                        entry.get_ref().streets(entry.span().start).1,
                        format!(
                            "{}, {} is already in round '{}' for {}",
                            street.street, street.district, other.id, round.container
                        ),
                    ));
                }
            }
            rounds.push(round);
        }
        let mut changes: Vec<Change> = Vec::new();
        for entry in &parsed.changes {
            let c = entry.get_ref();
            let (Some(instead_of), Some(on)) =
                (day_of(c.instead_of.get_ref()), day_of(c.on.get_ref()))
            else {
                return Err(err(
                    entry.span().start,
                    "instead_of and on must be days, such as 2027-12-27".into(),
                ));
            };
            if on == instead_of || (on - instead_of).whole_days().abs() > 7 {
                return Err(err(
                    c.on.span().start,
                    format!(
                        "a collection due on {instead_of} is moved by a day to a week, not to {on}"
                    ),
                ));
            }
            if changes.iter().any(|k| k.instead_of == instead_of) {
                return Err(err(
                    c.instead_of.span().start,
                    format!("the collections of {instead_of} are already moved"),
                ));
            }
            if c.reason.trim().is_empty() {
                return Err(err(
                    entry.span().start,
                    "give the reason residents are told, such as \"Christmas\"".into(),
                ));
            }
            changes.push(Change {
                instead_of,
                on,
                reason: c.reason.trim().to_owned(),
            });
        }
        Ok(Collections {
            containers,
            rounds,
            changes,
        })
    }

    fn round(
        entry: &Spanned<RoundEntry>,
        containers: &[Container],
        wards: &[&str],
        err: &dyn Fn(usize, String) -> SourceError,
    ) -> Result<Round, SourceError> {
        let r = entry.get_ref();
        let at = entry.span().start;
        if !is_config_id(&r.id) {
            return Err(err(
                at,
                format!(
                    "round id '{}' must be lower-case letters, digits and hyphens",
                    r.id
                ),
            ));
        }
        if !containers.iter().any(|c| &c.id == r.container.get_ref()) {
            return Err(err(
                r.container.span().start,
                format!(
                    "container '{}' is not one of the file's: {}",
                    r.container.get_ref(),
                    containers
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let day = townhall_types::day::weekday(r.day.get_ref()).ok_or_else(|| {
            err(
                r.day.span().start,
                format!(
                    "day '{}' must be a weekday, such as monday",
                    r.day.get_ref()
                ),
            )
        })?;
        let every_weeks = *r.every_weeks.get_ref();
        if !(1..=4).contains(&every_weeks) {
            return Err(err(
                r.every_weeks.span().start,
                "every_weeks must be 1 (weekly) to 4".into(),
            ));
        }
        let first = day_of(r.first.get_ref()).ok_or_else(|| {
            err(
                r.first.span().start,
                "first must be a day, such as 2027-01-04".into(),
            )
        })?;
        if first.weekday() != day {
            return Err(err(
                r.first.span().start,
                format!("first, {first}, is a {}, not a {day}", first.weekday()),
            ));
        }
        let (its_wards, wards_at) = r.wards(at);
        let (its_streets, streets_at) = r.streets(at);
        if let Some(ward) = its_wards.iter().find(|w| !wards.contains(&w.as_str())) {
            return Err(err(
                wards_at,
                format!("'{ward}' is not one of the council's wards"),
            ));
        }
        if its_wards.is_empty() && its_streets.is_empty() {
            return Err(err(
                at,
                format!("round '{}' covers no ward and no street", r.id),
            ));
        }
        if let Some(s) = its_streets
            .iter()
            .find(|s| words(&s.street).is_empty() || !is_district(s.district.trim()))
        {
            return Err(err(
                streets_at,
                format!(
                    "a street needs its name and its postcode district, the first half of its postcode such as RV4: '{}', '{}'",
                    s.street, s.district
                ),
            ));
        }
        Ok(Round {
            id: r.id.clone(),
            container: r.container.get_ref().clone(),
            day,
            every_weeks,
            first,
            wards: its_wards.to_vec(),
            streets: its_streets.to_vec(),
        })
    }

    /// The round that empties `container` at `address`: the one naming its
    /// street, else the one covering its ward.
    pub fn round_for(&self, address: &Address, container: &str) -> Option<&Round> {
        let theirs = || self.rounds.iter().filter(|r| r.container == container);
        theirs()
            .find(|r| r.streets.iter().any(|s| s.covers(address)))
            .or_else(|| {
                let ward = address.ward_code.as_deref()?;
                theirs().find(|r| r.wards.iter().any(|w| w == ward))
            })
    }

    /// The day a collection scheduled for `day` happens, and the change
    /// that moved it if one did.
    fn moved(&self, day: Date) -> (Date, Option<&Change>) {
        match self.changes.iter().find(|c| c.instead_of == day) {
            Some(change) => (change.on, Some(change)),
            None => (day, None),
        }
    }

    /// The next collection of each container at `address` on or after
    /// `today`, in the file's order of containers; a container no round
    /// empties there is left out.
    pub fn next(&self, address: &Address, today: Date) -> Vec<Next<'_>> {
        self.containers
            .iter()
            .filter_map(|container| {
                let round = self.round_for(address, &container.id)?;
                // A collection moved from before today to today or later
                // still counts; so look a week back.
                let mut due = round.scheduled_from(today - time::Duration::days(7));
                loop {
                    let (on, moved) = self.moved(due);
                    if on >= today {
                        return Some(Next {
                            container,
                            round,
                            on,
                            moved,
                        });
                    }
                    due = round.scheduled_from(due + time::Duration::days(1));
                }
            })
            .collect()
    }

    /// The change that moved `container`'s collection at `address` away
    /// from `day`, if one did.
    pub fn moved_from(&self, address: &Address, container: &str, day: Date) -> Option<&Change> {
        let round = self.round_for(address, container)?;
        self.changes
            .iter()
            .find(|c| c.instead_of == day && round.scheduled_on(day))
    }

    /// The last day before `day` that `container` was due at `address`
    /// (changes applied), within the five weeks before it.
    pub fn previous(&self, address: &Address, container: &str, day: Date) -> Option<Date> {
        (1..=35)
            .map(|back| day - time::Duration::days(back))
            .find(|d| self.due_on(address, container, *d))
    }

    /// The days from `from` to `to` (both included) that `container` was
    /// due at `address`, changes applied, oldest first.
    pub fn due_between(
        &self,
        address: &Address,
        container: &str,
        from: Date,
        to: Date,
    ) -> Vec<Date> {
        (0..=(to - from).whole_days())
            .map(|n| from + time::Duration::days(n))
            .filter(|day| self.due_on(address, container, *day))
            .collect()
    }

    /// Whether `container` was collected, or due to be, at `address` on
    /// `day`, changes applied: what a missed-collection report is checked
    /// against.
    pub fn due_on(&self, address: &Address, container: &str, day: Date) -> bool {
        let Some(round) = self.round_for(address, container) else {
            return false;
        };
        // Several days' collections may be moved onto one.
        self.changes
            .iter()
            .any(|c| c.on == day && round.scheduled_on(c.instead_of))
            || (round.scheduled_on(day) && self.moved(day).1.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const FILE: &str = r#"version = 1

[[containers]]
id = "general"
name = "General waste"
description = "grey 240 litre bin"

[[containers]]
id = "recycling"
name = "Mixed recycling"
description = "blue 240 litre bin"

[[rounds]]
id = "general-monday"
container = "general"
day = "monday"
every_weeks = 2
first = 2027-01-11
wards = ["W1"]

[[rounds]]
id = "general-friday"
container = "general"
day = "Friday"
every_weeks = 1
first = 2027-01-08
streets = [{ street = "Clarence Close", district = "RV4" }]

[[rounds]]
id = "recycling-tuesday"
container = "recycling"
day = "tuesday"
every_weeks = 2
first = 2027-01-12
wards = ["W1"]

[[changes]]
instead_of = 2027-12-27
on = 2027-12-29
reason = "Christmas"
"#;

    const WARDS: &[&str] = &["W1", "W2"];

    fn home(line1: &str, postcode: &str, ward: &str) -> Address {
        Address {
            uprn: "100000000001".into(),
            line1: line1.into(),
            line2: None,
            town: "Riverside".into(),
            postcode: postcode.into(),
            latitude: 0.0,
            longitude: 0.0,
            ward_code: Some(ward.into()),
            parish_code: None,
        }
    }

    #[test]
    fn a_home_is_collected_by_its_streets_round_or_else_its_wards() {
        let c = Collections::parse("waste.toml", FILE, WARDS).unwrap();
        let mill = home("14 Mill Lane", "RV1 2AB", "W1");
        let clarence = home("Flat 2, 22 Clarence Close", "rv4 3ax", "W1");
        let next = c.next(&mill, date!(2027 - 01 - 05));
        let days: Vec<(&str, Date)> = next
            .iter()
            .map(|n| (n.container.id.as_str(), n.on))
            .collect();
        assert_eq!(
            days,
            [
                ("general", date!(2027 - 01 - 11)),
                ("recycling", date!(2027 - 01 - 12))
            ]
        );
        let next = c.next(&clarence, date!(2027 - 01 - 05));
        assert_eq!(
            next[0].round.id, "general-friday",
            "the street's round wins"
        );
        assert_eq!(next[0].on, date!(2027 - 01 - 08));
        // On the day itself, it is that day's.
        assert_eq!(
            c.next(&mill, date!(2027 - 01 - 25))[0].on,
            date!(2027 - 01 - 25)
        );
        assert_eq!(
            c.next(&mill, date!(2027 - 01 - 12))[0].on,
            date!(2027 - 01 - 25)
        );
        // Another ward: no round, nothing promised.
        assert!(c
            .next(
                &home("1 High Street", "RV9 1AA", "W2"),
                date!(2027 - 01 - 05)
            )
            .is_empty());
        // A street's name, however the line is written; not a longer name.
        let on_clarence = |line1: &str| {
            c.next(&home(line1, "RV4 3AX", "W1"), date!(2027 - 01 - 05))[0]
                .round
                .id
                .clone()
        };
        for line1 in [
            "Flat 3, Mill House, Clarence Close",
            "12 Clarence Close, Upper Riverside",
            "Rose Cottage, Clarence  Close",
            "12A clarence close",
            "Apartment 5, The Maltings, Clarence Close.",
        ] {
            assert_eq!(on_clarence(line1), "general-friday", "{line1}");
        }
        for line1 in [
            "3 Clarence Close End",
            "4 Upper-Clarence Close",
            "5 Clarence Closet",
        ] {
            assert_eq!(on_clarence(line1), "general-monday", "{line1}");
        }
    }

    #[test]
    fn a_bank_holiday_moves_the_collection_and_says_why() {
        let c = Collections::parse("waste.toml", FILE, WARDS).unwrap();
        let mill = home("14 Mill Lane", "RV1 2AB", "W1");
        // Monday 27 December 2027, fifty weeks after the round's first day.
        let next = c.next(&mill, date!(2027 - 12 - 21));
        assert_eq!(next[0].on, date!(2027 - 12 - 29));
        assert_eq!(next[0].moved.map(|m| m.reason.as_str()), Some("Christmas"));
        // Still the next on the 28th, though the day it was due has passed.
        assert_eq!(
            c.next(&mill, date!(2027 - 12 - 28))[0].on,
            date!(2027 - 12 - 29)
        );
        assert_eq!(
            c.next(&mill, date!(2027 - 12 - 30))[0].on,
            date!(2028 - 01 - 10)
        );
        assert!(c.due_on(&mill, "general", date!(2027 - 12 - 29)));
        assert!(!c.due_on(&mill, "general", date!(2027 - 12 - 27)));
        assert!(c.due_on(&mill, "general", date!(2027 - 01 - 25)));
        assert!(
            !c.due_on(&mill, "general", date!(2027 - 01 - 18)),
            "a fortnight's off week"
        );
        assert!(
            !c.due_on(&mill, "garden", date!(2027 - 01 - 25)),
            "no such round"
        );
        // Nothing before a round's first day.
        assert!(!c.due_on(&mill, "general", date!(2026 - 12 - 28)));
        assert_eq!(
            c.next(&mill, date!(2026 - 12 - 01))[0].on,
            date!(2027 - 01 - 11)
        );
    }

    #[test]
    fn two_days_moved_onto_one_are_both_collected_then() {
        let text = format!(
            "{FILE}\n[[changes]]\ninstead_of = 2027-12-28\non = 2027-12-29\nreason = \"Boxing Day\"\n"
        );
        let c = Collections::parse("waste.toml", &text, WARDS).unwrap();
        let mill = home("14 Mill Lane", "RV1 2AB", "W1");
        let wednesday = date!(2027 - 12 - 29);
        assert!(c.due_on(&mill, "general", wednesday));
        assert!(
            c.due_on(&mill, "recycling", wednesday),
            "the second change too"
        );
        assert_eq!(
            c.moved_from(&mill, "recycling", date!(2027 - 12 - 28))
                .map(|m| m.reason.as_str()),
            Some("Boxing Day")
        );
        assert!(c
            .moved_from(&mill, "general", date!(2027 - 12 - 28))
            .is_none());
        assert_eq!(
            c.previous(&mill, "general", date!(2028 - 01 - 05)),
            Some(date!(2027 - 12 - 29))
        );
        // A district is a postcode's first half.
        let whole = FILE.replace("district = \"RV4\"", "district = \"RV4 3AX\"");
        let e = Collections::parse("waste.toml", &whole, WARDS).unwrap_err();
        assert_eq!(e.line, 27, "{e}");
    }

    #[test]
    fn mistakes_are_refused_with_their_line() {
        let cases = [
            ("version = 2", 1, "version 2 is not supported"),
            (
                "version = 1\n[[rounds]]\nid = \"r\"\ncontainer = \"glass\"\nday = \"monday\"\nevery_weeks = 1\nfirst = 2027-01-04\nwards = [\"W1\"]\n",
                4,
                "container 'glass' is not one of the file's",
            ),
            (
                &FILE.replace("first = 2027-01-11", "first = 2027-01-12"),
                18,
                "first, 2027-01-12, is a Tuesday, not a Monday",
            ),
            (
                &FILE.replace("wards = [\"W1\"]\n\n[[rounds]]\nid = \"general-friday\"", "wards = [\"W9\"]\n\n[[rounds]]\nid = \"general-friday\""),
                19,
                "'W9' is not one of the council's wards",
            ),
            (
                &FILE.replace("streets = [{ street = \"Clarence Close\", district = \"RV4\" }]", "wards = [\"W1\"]"),
                27,
                "ward 'W1' is already in round 'general-monday' for general",
            ),
            (
                &FILE.replace("on = 2027-12-29", "on = 2028-01-29"),
                39,
                "a collection due on 2027-12-27 is moved by a day to a week, not to 2028-01-29",
            ),
            (
                &FILE.replace("every_weeks = 2\nfirst = 2027-01-11", "every_weeks = 0\nfirst = 2027-01-11"),
                17,
                "every_weeks must be 1 (weekly) to 4",
            ),
            (
                &FILE.replace("reason = \"Christmas\"", "reason = \"Christmas\"\ncolour = \"red\""),
                41,
                "unknown field `colour`",
            ),
        ];
        for (text, line, said) in cases {
            let e = Collections::parse("waste.toml", text, WARDS).unwrap_err();
            assert_eq!(
                (e.line, e.file.as_str()),
                (line, "waste.toml"),
                "{said}: {e}"
            );
            assert!(e.message.contains(said), "{said}: {}", e.message);
        }
    }
}
