//! The domain events consent writes: a resident gave consent, or withdrew
//! it. They name the decision, its purpose and its recipient, not the
//! resident: a subscriber that must act for the resident (stop sharing
//! their records) reads the decision through this crate.

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType};
use townhall_types::{ConsentRecordId, Timestamp};

/// `consent.given`, version 1: a resident agreed to share for a purpose
/// with a recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentGiven {
    /// The decision, one entry of the resident's consent history.
    pub decision: ConsentRecordId,
    /// The purpose's id, as the consent policy declares it.
    pub purpose: String,
    /// The recipient's id, as the consent policy declares it.
    pub recipient: String,
    /// When the consent ends by itself, if it does.
    pub valid_until: Option<Timestamp>,
    /// How it reached the council: `web` or `assisted`.
    pub method: String,
}

impl Event for ConsentGiven {
    const TYPE: EventType = EventType {
        name: "consent.given",
        version: 1,
        about:
            "A resident agreed that their information may be shared for a purpose with a recipient.",
    };
    fn subject(&self) -> String {
        self.decision.to_string()
    }
}

/// `consent.withdrawn`, version 1: a resident said no, or no longer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentWithdrawn {
    /// The decision, one entry of the resident's consent history.
    pub decision: ConsentRecordId,
    /// The purpose's id.
    pub purpose: String,
    /// The recipient's id.
    pub recipient: String,
    /// How it reached the council: `web` or `assisted`.
    pub method: String,
}

impl Event for ConsentWithdrawn {
    const TYPE: EventType = EventType {
        name: "consent.withdrawn",
        version: 1,
        about: "A resident withdrew, or refused, consent to share for a purpose with a recipient.",
    };
    fn subject(&self) -> String {
        self.decision.to_string()
    }
}

/// The events consent writes, for the manifest.
pub(crate) const TYPES: &[EventType] = &[ConsentGiven::TYPE, ConsentWithdrawn::TYPE];
