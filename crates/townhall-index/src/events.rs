//! The domain events the resident index writes: one record joined to a
//! person (or given one of its own), and the whole index linked again.
//! They name records by their system and id and persons by the index's own
//! id; what the records hold is read through the index's views.

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType, NewEvent};
use townhall_types::{CouncilId, PersonId, Timestamp};

use crate::records::RecordKey;

/// `index.record_linked`, version 1: a record now belongs to a person, by
/// the model's links or a reviewer's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordLinked {
    /// The system that holds the record, e.g. `council_tax`.
    pub system: String,
    /// The record's id in that system.
    pub record_id: String,
    /// The person it belongs to now.
    pub person: PersonId,
    /// How sure the index is that the record is that person's, from 0 to 1.
    pub probability: f64,
}

impl Event for RecordLinked {
    const TYPE: EventType = EventType {
        name: "index.record_linked",
        version: 1,
        about: "A record in the resident index now belongs to a person.",
    };
    fn subject(&self) -> String {
        format!("{}/{}", self.system, self.record_id)
    }
}

/// `index.relinked`, version 1: every record was linked again in full; a
/// subscriber that keeps who belongs to whom reads the index afresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relinked {
    /// How many records the index holds.
    pub records: u64,
    /// How many persons they make.
    pub persons: u64,
}

impl Event for Relinked {
    const TYPE: EventType = EventType {
        name: "index.relinked",
        version: 1,
        about: "The resident index linked every record again in full.",
    };
    fn subject(&self) -> String {
        "index".to_owned()
    }
}

/// The events the index writes, for the manifest.
pub(crate) const TYPES: &[EventType] = &[RecordLinked::TYPE, Relinked::TYPE];

/// The `index.record_linked` event of each record given a person.
pub(crate) fn linked<'a>(
    council: CouncilId,
    changes: impl Iterator<Item = (&'a RecordKey, PersonId, f64)>,
) -> Result<Vec<NewEvent>, townhall_events::EventError> {
    let now = Timestamp::now();
    changes
        .map(|(key, person, probability)| {
            NewEvent::of(
                council,
                now,
                &RecordLinked {
                    system: key.system.clone(),
                    record_id: key.record_id.clone(),
                    person,
                    probability,
                },
            )
        })
        .collect()
}
