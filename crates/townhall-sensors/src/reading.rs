//! Measurements read as what their devices report: a level (a fill level,
//! a pollutant, a noise level) or a bin lift, each checked against its
//! device's kind; whatever does not fit is refused with its reason.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::Duration;
use townhall_types::Timestamp;

use crate::device::{Device, Place};
use crate::kind::{Kind, Outcome, LIFT, ROUND, UPRN};
use crate::senml::{Measurement, Value};

/// A measurement of a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    /// The device.
    pub device: String,
    /// What was measured (`fill`, `no2`).
    pub measurement: &'static str,
    /// The value, in `unit`.
    pub value: f64,
    /// Its unit.
    pub unit: &'static str,
    /// When it was measured.
    pub at: Timestamp,
}

/// What a collection vehicle reported of a bin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lift {
    /// The bin's tag.
    pub device: String,
    /// The home the bin belongs to.
    pub uprn: String,
    /// The round the vehicle was on, when it said.
    pub round: Option<String>,
    /// Lifted or not presented.
    pub outcome: Outcome,
    /// When.
    pub at: Timestamp,
}

/// Why a measurement was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A pack that is not SenML.
    Unreadable,
    /// No device is registered under its name.
    UnknownDevice,
    /// Its device's kind does not measure it.
    NotItsMeasurement,
    /// Its unit is not the one its measurement is in.
    WrongUnit,
    /// A value no working sensor reports.
    OutOfRange,
    /// A bin lift without its outcome, with two, for another home, or with a
    /// round that is not one line of text.
    BadLift,
    /// Measured later than it arrived (beyond a few minutes of clock drift).
    Future,
}

impl Reason {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Unreadable => "unreadable",
            Reason::UnknownDevice => "unknown-device",
            Reason::NotItsMeasurement => "not-its-measurement",
            Reason::WrongUnit => "wrong-unit",
            Reason::OutOfRange => "out-of-range",
            Reason::BadLift => "bad-lift",
            Reason::Future => "future",
        }
    }

    /// Reads it back.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Reason::Unreadable,
            Reason::UnknownDevice,
            Reason::NotItsMeasurement,
            Reason::WrongUnit,
            Reason::OutOfRange,
            Reason::BadLift,
            Reason::Future,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Unreadable => "Not a SenML pack",
            Reason::UnknownDevice => "No device registered under this name",
            Reason::NotItsMeasurement => "Not something this kind of device measures",
            Reason::WrongUnit => "In the wrong unit",
            Reason::OutOfRange => "A value no working sensor reports",
            Reason::BadLift => "A bin lift without one outcome, or for another home",
            Reason::Future => "Dated after it arrived",
        }
    }
}

/// What a pack held, sorted.
#[derive(Debug, Default, PartialEq)]
pub struct Sorted {
    /// The levels.
    pub levels: Vec<Level>,
    /// The bin lifts.
    pub lifts: Vec<Lift>,
    /// What was refused: the name it came under, and why.
    pub refused: Vec<(String, Reason)>,
}

/// The device a full SenML name belongs to, and the measurement: the name
/// is split at its last `:` (`urn:dev:riverside:LB-0042:fill`).
pub fn split(name: &str) -> (&str, &str) {
    name.rsplit_once(':').unwrap_or((name, ""))
}

/// How far past its arrival a reading may be dated: sensors' clocks drift.
const CLOCK_DRIFT: Duration = Duration::minutes(5);

/// Sorts `measurements`, which arrived at `received_at`, by their devices
/// (among `devices`, by id). A reading dated later than it arrived is
/// refused: it would stand as its device's latest for ever.
pub fn sort(
    measurements: Vec<Measurement>,
    devices: &HashMap<&str, &Device>,
    received_at: Timestamp,
) -> Sorted {
    let mut sorted = Sorted::default();
    let mut lifts: BTreeMap<(String, Timestamp), Vec<Measurement>> = BTreeMap::new();
    let latest = received_at.datetime() + CLOCK_DRIFT;
    for m in measurements {
        let (id, what) = split(&m.name);
        let Some(device) = devices.get(id) else {
            sorted.refused.push((id.to_owned(), Reason::UnknownDevice));
            continue;
        };
        if m.time.datetime() > latest {
            sorted.refused.push((id.to_owned(), Reason::Future));
            continue;
        }
        if device.kind == Kind::BinTag {
            if [LIFT, ROUND, UPRN].contains(&what) {
                lifts.entry((id.to_owned(), m.time)).or_default().push(m);
            } else {
                sorted
                    .refused
                    .push((id.to_owned(), Reason::NotItsMeasurement));
            }
            continue;
        }
        match level(device, what, &m) {
            Ok(level) => sorted.levels.push(level),
            Err(reason) => sorted.refused.push((id.to_owned(), reason)),
        }
    }
    for ((id, at), parts) in lifts {
        let Some(device) = devices.get(id.as_str()) else {
            continue;
        };
        match lift(device, at, &parts) {
            Some(lift) => sorted.lifts.push(lift),
            None => sorted.refused.push((id, Reason::BadLift)),
        }
    }
    sorted
}

fn level(device: &Device, what: &str, m: &Measurement) -> Result<Level, Reason> {
    let measure = device.kind.measure(what).ok_or(Reason::NotItsMeasurement)?;
    if m.unit.as_deref() != Some(measure.unit) {
        return Err(Reason::WrongUnit);
    }
    let Value::Number(value) = m.value else {
        return Err(Reason::OutOfRange);
    };
    if !(measure.range.0..=measure.range.1).contains(&value) {
        return Err(Reason::OutOfRange);
    }
    Ok(Level {
        device: device.id.clone(),
        measurement: measure.name,
        value,
        unit: measure.unit,
        at: m.time,
    })
}

/// A lift from the records a tag sent at one time: exactly one outcome,
/// at most one round, and a UPRN, if given, that is the tag's home's.
fn lift(device: &Device, at: Timestamp, parts: &[Measurement]) -> Option<Lift> {
    let Place::Home { uprn, .. } = &device.place else {
        return None;
    };
    let text = |name: &str| -> Result<Option<&str>, ()> {
        let mut values =
            parts
                .iter()
                .filter(|m| split(&m.name).1 == name)
                .map(|m| match &m.value {
                    Value::Text(t) => Ok(t.as_str()),
                    _ => Err(()),
                });
        let first = values.next().transpose()?;
        match values.next() {
            Some(_) => Err(()),
            None => Ok(first),
        }
    };
    let outcome = Outcome::parse(text(LIFT).ok()??)?;
    let round = text(ROUND).ok()?;
    match text(UPRN).ok()? {
        Some(given) if given != uprn => return None,
        _ => {}
    }
    // The round is the one text a vehicle writes freely: one line, as any
    // text from outside.
    let round = match round {
        Some(r) => {
            let r = townhall_types::text::clean(r).ok()?;
            let r = townhall_types::text::single_line(&r);
            if r.is_empty() || r.chars().count() > 100 {
                return None;
            }
            Some(r.into_owned())
        }
        None => None,
    };
    Some(Lift {
        device: device.id.clone(),
        uprn: uprn.clone(),
        round,
        outcome,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::senml::parse;

    fn device(id: &str, kind: Kind) -> Device {
        Device {
            id: id.to_owned(),
            kind,
            label: "x".into(),
            owner: "x".into(),
            place: match kind {
                Kind::BinTag => Place::Home {
                    uprn: "100".into(),
                    container: "general".into(),
                },
                _ => Place::Point,
            },
            latitude: 0.0,
            longitude: 0.0,
            ward: None,
            threshold: None,
            added_at: Timestamp::now(),
        }
    }

    fn sorted(pack: &str) -> Sorted {
        let tag = device("urn:dev:tag:RV-1", Kind::BinTag);
        let bin = device("urn:dev:lb:7", Kind::LitterBin);
        let air = device("aq-1", Kind::AirQuality);
        let devices: HashMap<&str, &Device> = [&tag, &bin, &air]
            .into_iter()
            .map(|d| (d.id.as_str(), d))
            .collect();
        let now = Timestamp::now();
        sort(parse(pack.as_bytes(), now).unwrap(), &devices, now)
    }

    #[test]
    fn levels_are_checked_against_their_kind() {
        let s = sorted(
            r#"[{"bn":"urn:dev:lb:7:","bt":1765000000,"n":"fill","u":"%","v":85},
                {"n":"fill","u":"%","v":101,"t":60},
                {"n":"fill","u":"/","v":0.5,"t":120},
                {"n":"temp","u":"Cel","v":4,"t":180},
                {"bn":"aq-1:","n":"no2","u":"ug/m3","v":41.5},
                {"n":"pm2.5","u":"ug/m3","vs":"high"},
                {"bn":"urn:dev:lb:8:","n":"fill","u":"%","v":3}]"#,
        );
        assert_eq!(s.levels.len(), 2);
        assert_eq!(s.levels[0].value, 85.0);
        assert_eq!(s.levels[1].measurement, "no2");
        assert_eq!(
            s.refused,
            vec![
                ("urn:dev:lb:7".to_owned(), Reason::OutOfRange),
                ("urn:dev:lb:7".to_owned(), Reason::WrongUnit),
                ("urn:dev:lb:7".to_owned(), Reason::NotItsMeasurement),
                ("aq-1".to_owned(), Reason::OutOfRange),
                ("urn:dev:lb:8".to_owned(), Reason::UnknownDevice),
            ]
        );
    }

    #[test]
    fn a_lift_gathers_its_records_at_one_time() {
        let s = sorted(
            r#"[{"bn":"urn:dev:tag:RV-1:","bt":1765000000,"n":"lift","vs":"not-presented"},
                {"n":"round","vs":"W01-general"},{"n":"uprn","vs":"100"},
                {"n":"lift","vs":"lifted","t":604800}]"#,
        );
        assert_eq!(s.refused, vec![]);
        assert_eq!(s.lifts.len(), 2);
        assert_eq!(s.lifts[0].outcome, Outcome::NotPresented);
        assert_eq!(s.lifts[0].round.as_deref(), Some("W01-general"));
        assert_eq!(s.lifts[1].outcome, Outcome::Lifted);
        assert_eq!(s.lifts[1].round, None);
    }

    #[test]
    fn a_lift_must_say_one_outcome_for_its_own_home() {
        for pack in [
            r#"[{"n":"urn:dev:tag:RV-1:round","vs":"W01","t":1765000000}]"#,
            r#"[{"bn":"urn:dev:tag:RV-1:","bt":1765000000,"n":"lift","vs":"emptied"}]"#,
            r#"[{"bn":"urn:dev:tag:RV-1:","bt":1765000000,"n":"lift","vs":"lifted"},{"n":"lift","vs":"not-presented"}]"#,
            r#"[{"bn":"urn:dev:tag:RV-1:","bt":1765000000,"n":"lift","vs":"lifted"},{"n":"uprn","vs":"200"}]"#,
            r#"[{"bn":"urn:dev:tag:RV-1:","bt":1765000000,"n":"lift","vb":true}]"#,
            r#"[{"bn":"urn:dev:tag:RV-1:","bt":1765000000,"n":"lift","vs":"lifted"},{"n":"round","vs":"W\u0000"}]"#,
            r#"[{"bn":"urn:dev:tag:RV-1:","bt":1765000000,"n":"lift","vs":"lifted"},{"n":"round","vs":" "}]"#,
        ] {
            let s = sorted(pack);
            assert_eq!(s.lifts, vec![], "{pack}");
            assert_eq!(
                s.refused,
                vec![("urn:dev:tag:RV-1".to_owned(), Reason::BadLift)],
                "{pack}"
            );
        }
        let s = sorted(r#"[{"n":"urn:dev:tag:RV-1:fill","u":"%","v":1}]"#);
        assert_eq!(s.refused[0].1, Reason::NotItsMeasurement);
    }

    #[test]
    fn readings_dated_after_they_arrived_are_refused() {
        let s = sorted(
            r#"[{"n":"urn:dev:lb:7:fill","u":"%","v":5,"t":600},{"n":"urn:dev:lb:7:fill","u":"%","v":6,"t":60}]"#,
        );
        assert_eq!(s.refused, vec![("urn:dev:lb:7".to_owned(), Reason::Future)]);
        assert_eq!(s.levels.len(), 1, "a minute of clock drift is taken");
        let s = sorted(r#"[{"bn":"urn:dev:lb:7:","bt":253402300000,"n":"fill","u":"%","v":0}]"#);
        assert_eq!(s.refused[0].1, Reason::Future);
    }

    #[test]
    fn names_split_at_their_last_colon() {
        assert_eq!(split("urn:dev:lb:7:fill"), ("urn:dev:lb:7", "fill"));
        assert_eq!(split("aq-1:pm2.5"), ("aq-1", "pm2.5"));
        assert_eq!(split("nocolon"), ("nocolon", ""));
    }
}
