//! The domain events sensors write: a level measured, a bin lift reported.
//! Each names its device, never a home or a person.

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType};
use townhall_types::Timestamp;

use crate::kind::Kind;

/// `sensor.reading_recorded`, version 1: a level, stored for the first time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingRecorded {
    /// The device.
    pub device: String,
    /// Its kind.
    pub kind: Kind,
    /// What was measured (`fill`, `no2`, `laeq`).
    pub measurement: String,
    /// The value, in `unit`.
    pub value: f64,
    /// Its unit (SenML units registry).
    pub unit: String,
    /// When it was measured (which may be before readings stored earlier).
    pub measured_at: Timestamp,
}

impl Event for ReadingRecorded {
    const TYPE: EventType = EventType {
        name: "sensor.reading_recorded",
        version: 1,
        about: "A sensor's measurement of a level (a litter bin's fill, a pollutant, noise) was stored.",
    };
    fn subject(&self) -> String {
        self.device.clone()
    }
}

/// `sensor.bin_lift_recorded`, version 1: a collection vehicle reported a
/// bin lifted or not presented, stored for the first time. It names the
/// lift (its tag and time), not the home or what was found: whether a
/// household put its bin out is theirs, and a subscriber that may know
/// reads the lift through this crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinLiftRecorded {
    /// The bin's tag.
    pub device: String,
    /// When the vehicle came for it.
    pub lifted_at: Timestamp,
}

impl Event for BinLiftRecorded {
    const TYPE: EventType = EventType {
        name: "sensor.bin_lift_recorded",
        version: 1,
        about: "A collection vehicle reported a bin lifted, or not presented, at a home.",
    };
    fn subject(&self) -> String {
        self.device.clone()
    }
}

/// The events sensors write, for the manifest.
pub(crate) const TYPES: &[EventType] = &[ReadingRecorded::TYPE, BinLiftRecorded::TYPE];
