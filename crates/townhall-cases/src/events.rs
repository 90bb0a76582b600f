//! The domain events cases write: a case submitted, and its status changed.
//! They name the case and its service, never the person who asked: a
//! subscriber that needs them reads the case through this crate.

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType, NewEvent};
use townhall_types::{CaseId, CouncilId, Timestamp};

use crate::model::Case;
use crate::CaseError;

/// `case.submitted`, version 1: a request became a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSubmitted {
    /// The case.
    pub case: CaseId,
    /// Its reference, e.g. `RIV-000042`.
    pub reference: String,
    /// The service's id.
    pub service: String,
    /// The status it starts in.
    pub status: String,
    /// How it arrived: `online`, `assisted`, `open311` or `sensor`.
    pub channel: String,
    /// The code of the ward it is in, when it has a place.
    pub ward: Option<String>,
}

impl Event for CaseSubmitted {
    const TYPE: EventType = EventType {
        name: "case.submitted",
        version: 1,
        about: "A request became a case.",
    };
    fn subject(&self) -> String {
        self.case.to_string()
    }
}

/// `case.status_changed`, version 1: a case moved along its workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStatusChanged {
    /// The case.
    pub case: CaseId,
    /// Its reference.
    pub reference: String,
    /// The service's id.
    pub service: String,
    /// The status it left.
    pub from: String,
    /// The status it is in now.
    pub to: String,
    /// Whether that status closes it.
    pub closed: bool,
}

impl Event for CaseStatusChanged {
    const TYPE: EventType = EventType {
        name: "case.status_changed",
        version: 1,
        about: "A case moved to another status of its service's workflow.",
    };
    fn subject(&self) -> String {
        self.case.to_string()
    }
}

/// The events cases write, for the manifest.
pub(crate) const TYPES: &[EventType] = &[CaseSubmitted::TYPE, CaseStatusChanged::TYPE];

/// The `case.submitted` event of `case`, made in `council` at `at`.
pub(crate) fn submitted(
    council: CouncilId,
    case: &Case,
    at: Timestamp,
) -> Result<NewEvent, CaseError> {
    let event = CaseSubmitted {
        case: case.id,
        reference: case.reference.clone(),
        service: case.service.clone(),
        status: case.status.clone(),
        channel: case.channel.clone(),
        ward: case.location.as_ref().and_then(|l| l.ward.clone()),
    };
    Ok(NewEvent::of(council, at, &event)?)
}

/// The `case.status_changed` event of `case`, which was in `from`.
pub(crate) fn status_changed(
    council: CouncilId,
    case: &Case,
    from: &str,
    at: Timestamp,
) -> Result<NewEvent, CaseError> {
    let event = CaseStatusChanged {
        case: case.id,
        reference: case.reference.clone(),
        service: case.service.clone(),
        from: from.to_owned(),
        to: case.status.clone(),
        closed: case.closed,
    };
    Ok(NewEvent::of(council, at, &event)?)
}
