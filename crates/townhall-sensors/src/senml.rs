//! SenML packs (RFC 8428, JSON form): the records sensors publish, resolved
//! into measurements with their full name, unit, value and time.
//!
//! Resolution follows RFC 8428 §4.6: a base field (`bn`, `bt`, `bu`, `bv`,
//! `bs`) applies to its record and every later one until another replaces
//! it; a record's name is `bn` + `n`, its time `bt` + `t` (a result below
//! 2^28 seconds is relative to the moment the pack is read, §4.5.3), its
//! number `bv` + `v` and its sum `bs` + `s`. A pack with a field whose name
//! ends in `_` (one its reader must understand, §4.4) is refused, as is a
//! `bver` above 10. No crate reads SenML with these rules and its errors
//! against each record; this one is small and tested against the RFC's
//! own examples.

use std::collections::BTreeMap;

use serde::Deserialize;
use time::OffsetDateTime;
use townhall_types::Timestamp;

/// The largest pack read, in bytes.
pub const MAX_PACK_BYTES: usize = 64 * 1024;

/// Times below this are relative to now (RFC 8428 §4.5.3).
const RELATIVE_BELOW: f64 = 268_435_456.0;

/// The longest full name read (`bn` + `n`): a device id and a measurement.
pub const MAX_NAME: usize = 160;

/// The SenML version this reader knows (RFC 8428 §4.4).
const VERSION: i64 = 10;

/// One resolved measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Its full name (`bn` + `n`).
    pub name: String,
    /// Its unit from the SenML units registry (`%`, `Cel`, `dB`, `ug/m3`…).
    pub unit: Option<String>,
    /// Its value.
    pub value: Value,
    /// When it was measured.
    pub time: Timestamp,
}

/// A record's value: exactly one of SenML's kinds, or a sum.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `v`: a number.
    Number(f64),
    /// `vs`: a string.
    Text(String),
    /// `vb`: a boolean.
    Bool(bool),
    /// `vd`: data, base64url as sent.
    Data(String),
    /// `s` alone: a sum (an integrated value, such as a count of lifts).
    Sum(f64),
}

/// Why a pack cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SenmlError {
    /// More bytes than a pack may hold.
    #[error("the pack is {0} bytes; at most {MAX_PACK_BYTES} are read")]
    TooLarge(usize),
    /// Not a JSON array of SenML records.
    #[error("not a SenML pack (a JSON array of records): {0}")]
    NotAPack(String),
    /// An empty array.
    #[error("the pack holds no records")]
    Empty,
    /// One record is wrong.
    #[error("record {index}: {problem}")]
    Record {
        /// Its position in the pack, from 1.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
}

/// One record as sent: every field optional, anything else kept to look
/// for fields that must be understood.
#[derive(Debug, Deserialize)]
struct Record {
    bn: Option<String>,
    bt: Option<f64>,
    bu: Option<String>,
    bv: Option<f64>,
    bs: Option<f64>,
    bver: Option<i64>,
    n: Option<String>,
    u: Option<String>,
    v: Option<f64>,
    vs: Option<String>,
    vb: Option<bool>,
    vd: Option<String>,
    s: Option<f64>,
    t: Option<f64>,
    #[serde(flatten)]
    other: BTreeMap<String, serde::de::IgnoredAny>,
}

/// Reads a pack, resolving its records as of `now` (for relative times).
pub fn parse(bytes: &[u8], now: Timestamp) -> Result<Vec<Measurement>, SenmlError> {
    if bytes.len() > MAX_PACK_BYTES {
        return Err(SenmlError::TooLarge(bytes.len()));
    }
    let records: Vec<Record> =
        serde_json::from_slice(bytes).map_err(|e| SenmlError::NotAPack(e.to_string()))?;
    if records.is_empty() {
        return Err(SenmlError::Empty);
    }
    let mut base = Base::default();
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            base.resolve(r, now).map_err(|problem| SenmlError::Record {
                index: i + 1,
                problem,
            })
        })
        .collect()
}

/// The base fields in force.
#[derive(Default)]
struct Base {
    name: String,
    time: f64,
    unit: Option<String>,
    value: Option<f64>,
    sum: Option<f64>,
}

impl Base {
    fn resolve(&mut self, r: Record, now: Timestamp) -> Result<Measurement, String> {
        if let Some(field) = r.other.keys().find(|k| k.ends_with('_')) {
            return Err(format!("'{field}' must be understood and is not"));
        }
        if let Some(version) = r.bver {
            if version > VERSION {
                return Err(format!("SenML version {version} is newer than {VERSION}"));
            }
        }
        if let Some(bn) = r.bn {
            self.name = bn;
        }
        if let Some(bt) = r.bt {
            self.time = finite(bt, "bt")?;
        }
        if let Some(bu) = r.bu {
            self.unit = Some(bu);
        }
        if let Some(bv) = r.bv {
            self.value = Some(finite(bv, "bv")?);
        }
        if let Some(bs) = r.bs {
            self.sum = Some(finite(bs, "bs")?);
        }
        let n = r.n.unwrap_or_default();
        if self.name.len() + n.len() > MAX_NAME {
            return Err(format!(
                "its name (bn + n) is longer than {MAX_NAME} characters"
            ));
        }
        let name = format!("{}{n}", self.name);
        if !valid_name(&name) {
            return Err(if name.is_empty() {
                "it has no name (bn + n)".to_owned()
            } else {
                format!("'{name}' is not a SenML name: it starts with a letter or digit and holds only letters, digits and - : . / _")
            });
        }
        let given = [
            r.v.is_some(),
            r.vs.is_some(),
            r.vb.is_some(),
            r.vd.is_some(),
        ];
        let value = match given.iter().filter(|g| **g).count() {
            0 => match (r.s, self.sum, self.value) {
                (Some(s), base, _) => Value::Sum(finite(s, "s")? + base.unwrap_or(0.0)),
                (None, _, Some(bv)) => Value::Number(bv),
                (None, _, None) => {
                    return Err(format!("'{name}' has no value (v, vs, vb, vd or s)"))
                }
            },
            1 => {
                if let Some(v) = r.v {
                    Value::Number(finite(v, "v")? + self.value.unwrap_or(0.0))
                } else if let Some(vs) = r.vs {
                    Value::Text(vs)
                } else if let Some(vb) = r.vb {
                    Value::Bool(vb)
                } else {
                    Value::Data(r.vd.unwrap_or_default())
                }
            }
            _ => return Err(format!("'{name}' has more than one value (v, vs, vb, vd)")),
        };
        let seconds = self.time + finite(r.t.unwrap_or(0.0), "t")?;
        let seconds = if seconds < RELATIVE_BELOW {
            now.datetime().unix_timestamp_nanos() as f64 / 1e9 + seconds
        } else {
            seconds
        };
        Ok(Measurement {
            name,
            unit: r.u.or_else(|| self.unit.clone()),
            value,
            time: instant(seconds)?,
        })
    }
}

fn finite(x: f64, field: &str) -> Result<f64, String> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("'{field}' is not a finite number"))
    }
}

/// RFC 8428 §4.5.1: the first character out of A–Z, a–z, 0–9; the rest
/// also - : . / _.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "-:./_".contains(c))
}

/// Seconds since the epoch as a [`Timestamp`], to the microsecond.
fn instant(seconds: f64) -> Result<Timestamp, String> {
    let micros = (seconds * 1e6).round();
    if !(0.0..=253_402_300_799e6).contains(&micros) {
        return Err(format!("time {seconds} is not between 1970 and 9999"));
    }
    OffsetDateTime::from_unix_timestamp_nanos(micros as i128 * 1_000)
        .map(Timestamp::from_datetime)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-12-07T12:00:00Z").unwrap()
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// RFC 8428 §5.1.2: several measurements of one device, with a base
    /// name, time and unit.
    #[test]
    fn reads_the_rfcs_multiple_datapoints_example() {
        let pack = br#"[
            {"bn":"urn:dev:ow:10e2073a01080063:","bt":1.320067464e+09,"bu":"%RH","v":20},
            {"u":"lon","v":24.30621},
            {"u":"lat","v":60.07965},
            {"t":60,"v":20.3},
            {"u":"lon","t":60,"v":24.30622},
            {"u":"lat","t":60,"v":60.07965},
            {"t":120,"v":20.7}
        ]"#;
        let m = parse(pack, now()).unwrap();
        assert_eq!(m.len(), 7);
        assert_eq!(m[0].name, "urn:dev:ow:10e2073a01080063:");
        assert_eq!(m[0].unit.as_deref(), Some("%RH"));
        assert_eq!(m[1].unit.as_deref(), Some("lon"));
        assert_eq!(m[3].time, at("2011-10-31T13:25:24Z"));
        assert_eq!(m[6].value, Value::Number(20.7));
    }

    #[test]
    fn base_value_and_base_sum_are_added() {
        let pack =
            br#"[{"bn":"d:","bt":1700000000,"bv":10,"n":"a","v":2.5},{"n":"b","s":3,"bs":100}]"#;
        let m = parse(pack, now()).unwrap();
        assert_eq!(m[0].value, Value::Number(12.5));
        assert_eq!(m[1].value, Value::Sum(103.0));
        assert_eq!(m[1].name, "d:b");
    }

    #[test]
    fn small_times_are_relative_to_now() {
        let m = parse(br#"[{"n":"x","v":1,"t":-60}]"#, now()).unwrap();
        assert_eq!(m[0].time, at("2026-12-07T11:59:00Z"));
        let m = parse(br#"[{"n":"x","v":1}]"#, now()).unwrap();
        assert_eq!(m[0].time, now());
    }

    #[test]
    fn a_relative_time_keeps_nows_fraction_of_a_second() {
        let now = at("2026-12-07T12:00:00.250Z");
        let m = parse(br#"[{"n":"x","v":1,"t":-1.5}]"#, now).unwrap();
        assert_eq!(m[0].time, at("2026-12-07T11:59:58.750Z"));
    }

    #[test]
    fn names_longer_than_a_device_and_a_measurement_are_refused_before_they_are_copied() {
        let long = "a".repeat(MAX_NAME);
        let pack = format!(r#"[{{"bn":"{long}","n":"x","v":1}}]"#);
        let err = parse(pack.as_bytes(), now()).unwrap_err().to_string();
        assert!(err.contains("longer than 160"), "{err}");
        let pack = format!(
            r#"[{{"bn":"{}:","n":"x","v":1}}]"#,
            "a".repeat(MAX_NAME - 2)
        );
        assert!(parse(pack.as_bytes(), now()).is_ok());
    }

    #[test]
    fn fractional_seconds_are_kept_to_the_microsecond() {
        let m = parse(br#"[{"n":"x","vb":true,"t":1700000000.25}]"#, now()).unwrap();
        assert_eq!(m[0].time, at("2023-11-14T22:13:20.250Z"));
        assert_eq!(m[0].value, Value::Bool(true));
    }

    #[test]
    fn wrong_packs_say_which_record_and_why() {
        let cases: &[(&[u8], &str)] = &[
            (b"{}", "not a SenML pack"),
            (b"[]", "no records"),
            (b"not json", "not a SenML pack"),
            (br#"[{"v":1}]"#, "record 1: it has no name"),
            (
                br#"[{"n":"a","v":1},{"n":"-x","v":1}]"#,
                "record 2: '-x' is not a SenML name",
            ),
            (br#"[{"n":"a b","v":1}]"#, "is not a SenML name"),
            (br#"[{"n":"a"}]"#, "record 1: 'a' has no value"),
            (br#"[{"n":"a","v":1,"vs":"x"}]"#, "more than one value"),
            (
                br#"[{"n":"a","v":1,"foo_":1}]"#,
                "'foo_' must be understood",
            ),
            (br#"[{"bver":11,"n":"a","v":1}]"#, "version 11"),
            (
                br#"[{"n":"a","v":1,"t":1e300}]"#,
                "not between 1970 and 9999",
            ),
            (br#"[{"n":"a","v":"1"}]"#, "not a SenML pack"),
        ];
        for (pack, want) in cases {
            let err = parse(pack, now()).unwrap_err().to_string();
            assert!(
                err.contains(want),
                "{}: {err}",
                String::from_utf8_lossy(pack)
            );
        }
        let big = vec![b' '; MAX_PACK_BYTES + 1];
        assert_eq!(
            parse(&big, now()),
            Err(SenmlError::TooLarge(MAX_PACK_BYTES + 1))
        );
    }

    #[test]
    fn unknown_fields_that_may_be_ignored_are() {
        let m = parse(br#"[{"n":"a","v":1,"ut":60,"extra":{"x":[1]}}]"#, now()).unwrap();
        assert_eq!(m[0].value, Value::Number(1.0));
    }
}
