//! The domain events the resident index writes: a person's records
//! changed (a record joined or left them), and the whole index linked
//! again. They name persons by the index's own ids and nothing else: which
//! records a person holds, and what those say, is read through the index's
//! audited, consent-checked views.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType, NewEvent};
use townhall_store::StoreError;
use townhall_types::{CouncilId, PersonId, Timestamp};

/// `index.person_changed`, version 1: the records that make up a person
/// changed: one joined them (arriving, linked, or joined by a reviewer) or
/// left them (withdrawn by its system, or linked to someone else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChanged {
    /// The person.
    pub person: PersonId,
}

impl Event for PersonChanged {
    const TYPE: EventType = EventType {
        name: "index.person_changed",
        version: 1,
        about: "The records that make up a person in the resident index changed.",
    };
    fn subject(&self) -> String {
        self.person.to_string()
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
pub(crate) const TYPES: &[EventType] = &[PersonChanged::TYPE, Relinked::TYPE];

/// The `index.person_changed` event of each of `persons`, once each.
pub(crate) fn person_changed(
    council: CouncilId,
    persons: impl IntoIterator<Item = PersonId>,
) -> Result<Vec<NewEvent>, StoreError> {
    let now = Timestamp::now();
    persons
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|person| Ok(NewEvent::of(council, now, &PersonChanged { person })?))
        .collect()
}
