//! Cases: every submission to a service becomes one.
//!
//! Every channel reads a request with [`prepare`], the one set of checks
//! before a case is made. [`make`] checks eligibility again, routes the
//! case with the service's rules (recording why), gives it a reference and a deadline and records it in
//! the audit log, in one transaction. Staff work on it through [`apply`]:
//! moving it through the service's workflow, writing internal or public
//! notes, assigning it, merging a duplicate; each change is in the case's
//! history and the audit log. Staff read a case only through [`open_as`],
//! which audits the read. Photos are [`attachments`]: checked and cleaned on
//! upload, claimed by the case. Requests from machine clients go through
//! [`Intake`], which commits the cases arriving together in one transaction.
//! A request to a service with a fee waits in its payment until it is paid
//! ([`paid`]).
//!
//! A case made writes [`CaseSubmitted`] and a status changed
//! [`CaseStatusChanged`], last in the transaction that made the change.
//! [`CaseMessages`] subscribes to them and queues each status's message for
//! whoever asked and everyone following the case.

mod application;
pub mod attachments;
mod configure;
mod events;
mod follow;
mod history;
pub mod idempotency;
mod intake;
mod locate;
mod messages;
mod missed;
mod model;
pub mod paid;
pub mod permissions;
pub mod public;
mod read;
mod row;
mod standing;
mod submit;
mod work;

pub use application::{prepare, Application, Refusals};
pub use events::{CaseStatusChanged, CaseSubmitted};
pub use follow::{join, join_report};
pub use intake::{Intake, IntakeError, Request, Retry};
pub use locate::{locate, NotPlaced};
pub use messages::CaseMessages;
pub use model::{
    Audience, Case, CaseEvent, CaseLocation, Channel, Contact, Location, Requester, Submission,
};
pub use read::{
    booked_days, for_resident, nearby_open, open_as, open_case_with_team, own_case, permits_for,
    queue, residents_with_open_cases, team_of, HeldPermit, QueueFilter,
};
pub use standing::Standing;
pub use submit::{make, make_in, DAY_FULL};
pub use work::{apply, load, StaffActor, Update, Work};

use townhall_store::{Migration, StoreError};

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "cases",
    migrations: MIGRATIONS,
    events: events::TYPES,
    configure: Some(configure::configure),
    demo: None,
    jobs: &[paid::JOB, messages::JOB],
    scopes: permissions::SCOPES,
};

/// Schema for cases, their history, permits and the people following them.
pub const MIGRATIONS: &[Migration] = &[
    Migration::portable(
        2026112401,
        "cases",
        include_str!("../migrations/0001_cases.sql"),
    ),
    Migration::portable(
        2026112402,
        "case_followers",
        include_str!("../migrations/0002_followers.sql"),
    ),
    Migration {
        version: 2026112701,
        name: "attachments",
        sqlite: include_str!("../migrations/0003_attachments.sqlite.sql"),
        postgres: include_str!("../migrations/0003_attachments.postgres.sql"),
    },
    Migration::portable(
        2026112702,
        "cases_by_time",
        include_str!("../migrations/0004_by_time.sql"),
    ),
    Migration::portable(
        2026120601,
        "case_events_published",
        include_str!("../migrations/0005_published.sql"),
    ),
    Migration::portable(
        2026120603,
        "idempotency_keys",
        include_str!("../migrations/0006_idempotency.sql"),
    ),
    Migration::portable(
        2026120604,
        "case_changes",
        include_str!("../migrations/0007_changes.sql"),
    ),
];

/// A case could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The service's routing named a team the council does not have.
    #[error("the routing names team '{0}', which does not exist; create it first")]
    UnknownTeam(String),
    /// No routing rule matched (the loader prevents this).
    #[error("no routing rule of {0} matched")]
    Unrouted(String),
    /// The service's workflow or messages could not be used.
    #[error("workflow: {0}")]
    Workflow(String),
    /// The change is not allowed, with the reason for staff.
    #[error("{0}")]
    NotAllowed(String),
    /// There is no such case.
    #[error("there is no such case")]
    NotFound,
    /// An event could not be written.
    #[error(transparent)]
    Event(#[from] townhall_events::EventError),
    /// The payment provider failed or could not be reached.
    #[error(transparent)]
    Payment(#[from] townhall_payments::PaymentError),
}
