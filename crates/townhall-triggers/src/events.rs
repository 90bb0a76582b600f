//! The domain events triggers write.

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType};
use townhall_types::FiringId;

/// `trigger.fired`, version 1: a rule fired for a person. It names the
/// firing and the rule, never the person: a subscriber that may know reads
/// the firing through this crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fired {
    /// The firing.
    pub firing: FiringId,
    /// The rule.
    pub rule: String,
    /// What became of it: `recorded` (the rule is not live), `referred`
    /// or `refused`.
    pub status: String,
}

impl Event for Fired {
    const TYPE: EventType = EventType {
        name: "trigger.fired",
        version: 1,
        about: "A trigger rule fired for a person: recorded, referred to its recipient, or refused by the hub.",
    };
    fn subject(&self) -> String {
        self.firing.to_string()
    }
}

/// The events triggers write, for the manifest.
pub(crate) const TYPES: &[EventType] = &[Fired::TYPE];
