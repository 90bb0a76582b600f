//! The domain events the hub writes. A partner's record reaching the
//! council is one: the event names the record, its partner, agreement,
//! record type and person, not its values, which a subscriber (a trigger)
//! reads through the hub so that the reading is audited.

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType};
use townhall_types::{PersonId, ReceivedId};

/// `exchange.record_received`, version 1: a partner sent the council a
/// record through the hub, under an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordReceived {
    /// The record, as the hub keeps it.
    pub received: ReceivedId,
    /// The partner that sent it.
    pub partner: String,
    /// The agreement it came under.
    pub agreement: String,
    /// The consent purpose it serves.
    pub purpose: String,
    /// Its record type, e.g. `appointments`.
    pub record_type: String,
    /// Whom it is about.
    pub person: PersonId,
}

impl Event for RecordReceived {
    const TYPE: EventType = EventType {
        name: "exchange.record_received",
        version: 1,
        about: "A partner sent the council a record about a person through the data-exchange hub, under a data-sharing agreement.",
    };
    fn subject(&self) -> String {
        self.received.to_string()
    }
}

/// Every event type the hub writes.
pub const TYPES: &[EventType] = &[RecordReceived::TYPE];
