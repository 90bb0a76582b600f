//! The kinds of sensor the council takes readings from, and what each
//! measures: its SenML measurement names, their units (from the SenML units
//! registry) and the values that can be true.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The RFID tag on a wheeled bin, read by the collection vehicle as it
    /// lifts the bin (or finds it not presented).
    BinTag,
    /// A litter bin's fill-level sensor.
    LitterBin,
    /// An air-quality monitor.
    AirQuality,
    /// A noise monitor.
    Noise,
}

/// A measurement a kind makes: its SenML name, unit, and the values it can
/// take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    /// The SenML name after the device's (`fill`, `pm2.5`).
    pub name: &'static str,
    /// Its unit, as the SenML units registry writes it.
    pub unit: &'static str,
    /// How people read it ("Fill level", "PM2.5").
    pub label: &'static str,
    /// The lowest and highest values a working sensor reports.
    pub range: (f64, f64),
}

const FILL: &[Measure] = &[Measure {
    name: "fill",
    unit: "%",
    label: "Fill level",
    range: (0.0, 100.0),
}];

const AIR: &[Measure] = &[
    Measure {
        name: "pm2.5",
        unit: "ug/m3",
        label: "PM2.5",
        range: (0.0, 1000.0),
    },
    Measure {
        name: "pm10",
        unit: "ug/m3",
        label: "PM10",
        range: (0.0, 2000.0),
    },
    Measure {
        name: "no2",
        unit: "ug/m3",
        label: "Nitrogen dioxide",
        range: (0.0, 2000.0),
    },
    Measure {
        name: "o3",
        unit: "ug/m3",
        label: "Ozone",
        range: (0.0, 1000.0),
    },
];

const NOISE: &[Measure] = &[
    Measure {
        name: "laeq",
        unit: "dB",
        label: "Noise (LAeq)",
        range: (0.0, 200.0),
    },
    Measure {
        name: "lamax",
        unit: "dB",
        label: "Loudest noise (LAmax)",
        range: (0.0, 200.0),
    },
];

/// The names a bin tag's lift is reported under: the outcome (`vs`), and,
/// at the same time, the round and the home's UPRN (`vs`), which may be left
/// out.
pub const LIFT: &str = "lift";
/// See [`LIFT`].
pub const ROUND: &str = "round";
/// See [`LIFT`].
pub const UPRN: &str = "uprn";

impl Kind {
    /// Every kind, in the order pages list them.
    pub const ALL: [Kind; 4] = [Kind::BinTag, Kind::LitterBin, Kind::AirQuality, Kind::Noise];

    /// As stored and typed: `bin-tag`, `litter-bin`, `air-quality`, `noise`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::BinTag => "bin-tag",
            Kind::LitterBin => "litter-bin",
            Kind::AirQuality => "air-quality",
            Kind::Noise => "noise",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::BinTag => "Bin tag",
            Kind::LitterBin => "Litter bin",
            Kind::AirQuality => "Air-quality monitor",
            Kind::Noise => "Noise monitor",
        }
    }

    /// The measurements it makes (a bin tag's lifts are read apart).
    pub fn measures(self) -> &'static [Measure] {
        match self {
            Kind::BinTag => &[],
            Kind::LitterBin => FILL,
            Kind::AirQuality => AIR,
            Kind::Noise => NOISE,
        }
    }

    /// One of its measurements, by name.
    pub fn measure(self, name: &str) -> Option<&'static Measure> {
        self.measures().iter().find(|m| m.name == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Not a kind of device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a kind of device: bin-tag, litter-bin, air-quality or noise")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// What a collection vehicle found when it came for a bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Lifted and emptied.
    Lifted,
    /// Not put out for collection.
    NotPresented,
}

impl Outcome {
    /// As sent and stored: `lifted`, `not-presented`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Lifted => "lifted",
            Outcome::NotPresented => "not-presented",
        }
    }

    /// Reads what a vehicle sends.
    pub fn parse(text: &str) -> Option<Self> {
        [Outcome::Lifted, Outcome::NotPresented]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(kind));
        }
        assert_eq!("Litter-Bin".parse::<Kind>(), Ok(Kind::LitterBin));
        assert!("bin".parse::<Kind>().is_err());
    }

    #[test]
    fn each_kind_names_its_measurements_once() {
        for kind in Kind::ALL {
            let mut names: Vec<_> = kind.measures().iter().map(|m| m.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), kind.measures().len());
        }
        assert_eq!(Kind::LitterBin.measure("fill").map(|m| m.unit), Some("%"));
        assert_eq!(Outcome::parse("not-presented"), Some(Outcome::NotPresented));
        assert_eq!(Outcome::parse("missing"), None);
    }
}
