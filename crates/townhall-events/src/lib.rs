//! Typed domain events: what happened on the platform (a case submitted, a
//! status changed, consent given or withdrawn, records linked, a payment
//! settled), kept so that other parts of the platform, and partners, can act
//! on it.
//!
//! - A capability declares its events as types implementing [`Event`] and
//!   lists them in its manifest ([`EventType`]).
//! - A command writes its events with [`record`] **in the same transaction**
//!   as the change, and **last** in it: the council's counter row is then
//!   held only until commit, so events are numbered per council in commit
//!   order, with no gaps (a subscriber that has read number 41 has read
//!   every number up to it), and no lock is taken after it.
//! - A [`Subscriber`] reads them in order, with at-least-once delivery and a
//!   checkpoint per council ([`deliver`]).
//! - Outside the platform an event is a CloudEvents 1.0 JSON document
//!   ([`Stored::cloud_event`]): the form the API's event feed answers with
//!   and a message broker carries.

mod event;
mod outbox;
pub mod permissions;
mod subscriber;

pub use event::{Event, EventError, EventType, NewEvent, Stored};
pub use outbox::{after, latest, record};
pub use subscriber::{
    backlog, checkpoint, deliver, run, Backlog, Subscriber, SubscriberError, IDLE,
};

use townhall_store::Migration;

/// Schema for the events and their subscribers' checkpoints.
pub const MIGRATIONS: &[Migration] = &[Migration::portable(
    2026120706,
    "domain_events",
    include_str!("../migrations/0001_events.sql"),
)];
