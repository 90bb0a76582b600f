//! What an event is: a typed payload, and the stored form every subscriber
//! reads.

use serde::de::DeserializeOwned;
use serde::Serialize;
use townhall_store::StoreError;
use townhall_types::{CouncilId, Timestamp};

/// A kind of domain event, owned by the capability that writes it.
///
/// Its JSON form is a stable contract: a change that would break a reader
/// (a field removed, renamed or retyped) is a new `VERSION`, a new type,
/// while adding an optional field is not.
pub trait Event: Serialize + DeserializeOwned {
    /// What it is, declared in its capability's manifest.
    const TYPE: EventType;

    /// The record it is about (CloudEvents `subject`), e.g. a case's id.
    fn subject(&self) -> String;
}

/// The name and version of a kind of event, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventType {
    /// `AREA.WHAT_HAPPENED`, e.g. `case.submitted`.
    pub name: &'static str,
    /// Its contract's version, from 1.
    pub version: u32,
    /// What happened, in a sentence.
    pub about: &'static str,
}

impl EventType {
    /// Its CloudEvents `type`: `townhall.NAME.vVERSION`, e.g.
    /// `townhall.case.submitted.v1`.
    pub fn cloud_type(&self) -> String {
        format!("townhall.{}.v{}", self.name, self.version)
    }
}

/// Why an event could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Its data is not the JSON its type says.
    #[error("event {sequence} of council {council} is not a {expected}: {source}")]
    Shape {
        /// The council.
        council: CouncilId,
        /// Its number.
        sequence: i64,
        /// The type asked for.
        expected: String,
        /// What did not fit.
        source: serde_json::Error,
    },
    /// A payload that cannot be written as JSON (a map with non-text keys).
    #[error("a {0} event cannot be written as JSON: {1}")]
    Unwritable(String, serde_json::Error),
}

impl From<EventError> for StoreError {
    fn from(e: EventError) -> Self {
        StoreError::encode(e.to_string())
    }
}

/// An event about to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub(crate) council: CouncilId,
    pub(crate) cloud_type: String,
    pub(crate) subject: String,
    pub(crate) time: Timestamp,
    pub(crate) data: String,
}

impl NewEvent {
    /// `event`, which happened in `council` at `time`.
    pub fn of<E: Event>(
        council: CouncilId,
        time: Timestamp,
        event: &E,
    ) -> Result<Self, EventError> {
        let data = serde_json::to_string(event)
            .map_err(|e| EventError::Unwritable(E::TYPE.cloud_type(), e))?;
        Ok(NewEvent {
            council,
            cloud_type: E::TYPE.cloud_type(),
            subject: event.subject(),
            time,
            data,
        })
    }
}

/// An event as recorded: numbered within its council.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// The council it happened in.
    pub council: CouncilId,
    /// Its number within the council, from 1, in commit order.
    pub sequence: i64,
    /// Its CloudEvents type, e.g. `townhall.case.submitted.v1`.
    pub cloud_type: String,
    /// The record it is about.
    pub subject: String,
    /// When it happened.
    pub time: Timestamp,
    /// Its payload.
    pub data: serde_json::Value,
}

impl Stored {
    /// Whether it is an `E`.
    pub fn is<E: Event>(&self) -> bool {
        self.cloud_type == E::TYPE.cloud_type()
    }

    /// Its payload as an `E`, if it is one.
    pub fn read<E: Event>(&self) -> Option<Result<E, EventError>> {
        self.is::<E>().then(|| {
            serde_json::from_value(self.data.clone()).map_err(|source| EventError::Shape {
                council: self.council,
                sequence: self.sequence,
                expected: E::TYPE.cloud_type(),
                source,
            })
        })
    }

    /// Its CloudEvents `id`: the council's number for it, unique within
    /// its `source`.
    pub fn id(&self) -> String {
        self.sequence.to_string()
    }

    /// Its CloudEvents `source`: the council it happened in.
    pub fn source(&self) -> String {
        format!("/councils/{}", self.council)
    }

    /// The event as a CloudEvents 1.0 JSON document (structured mode), the
    /// form the event feed and message brokers carry.
    pub fn cloud_event(&self) -> serde_json::Value {
        serde_json::json!({
            "specversion": "1.0",
            "id": self.id(),
            "source": self.source(),
            "type": self.cloud_type,
            "subject": self.subject,
            "time": self.time.to_db(),
            "datacontenttype": "application/json",
            "data": self.data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Rang {
        bell: String,
    }

    impl Event for Rang {
        const TYPE: EventType = EventType {
            name: "bell.rang",
            version: 2,
            about: "A bell rang.",
        };
        fn subject(&self) -> String {
            self.bell.clone()
        }
    }

    #[test]
    fn an_event_reads_back_as_its_type_and_no_other() {
        let council = CouncilId::new();
        let new = NewEvent::of(council, Timestamp::now(), &Rang { bell: "b1".into() }).unwrap();
        let stored = Stored {
            council,
            sequence: 7,
            cloud_type: new.cloud_type.clone(),
            subject: new.subject.clone(),
            time: new.time,
            data: serde_json::from_str(&new.data).unwrap(),
        };
        assert_eq!(stored.cloud_type, "townhall.bell.rang.v2");
        assert_eq!(stored.subject, "b1");
        assert_eq!(
            stored.read::<Rang>().unwrap().unwrap(),
            Rang { bell: "b1".into() }
        );
        let cloud = stored.cloud_event();
        assert_eq!(cloud["specversion"], "1.0");
        assert_eq!(cloud["id"], "7");
        assert_eq!(cloud["source"], format!("/councils/{council}"));
        assert_eq!(cloud["data"]["bell"], "b1");
    }

    #[test]
    fn a_payload_of_the_wrong_shape_is_an_error_that_names_the_event() {
        let stored = Stored {
            council: CouncilId::new(),
            sequence: 3,
            cloud_type: Rang::TYPE.cloud_type(),
            subject: "b".into(),
            time: Timestamp::now(),
            data: serde_json::json!({"clapper": 1}),
        };
        let err = stored.read::<Rang>().unwrap().unwrap_err();
        assert!(err.to_string().contains("event 3"), "{err}");
    }
}
