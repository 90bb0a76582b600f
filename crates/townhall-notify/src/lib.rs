//! One outbox for email, SMS and letters.
//!
//! A message is rendered from a template with Notify-style `((placeholders))`
//! and written to the outbox **in the same transaction** as the change that
//! caused it ([`enqueue`]). A worker ([`deliver_pending`]) hands messages to a
//! [`Transport`] and records their delivery status, using GOV.UK Notify's status
//! names. A failure that may pass (a provider that is down, a full mailbox) is
//! tried again after 1, 5, 30 and 120 minutes; a refusal (no such address) is not.

mod jobs;
mod message;
mod outbox;
mod template;
mod transport;

pub use message::{Channel, Status};
pub use outbox::{
    count_since, deliver_pending, enqueue, enqueue_all, mailbox, sent_to, Notification, Outgoing,
};
pub use template::{Template, TemplateError, Templates};
pub use transport::{Smtp, SmtpSettings, Transport};

use townhall_store::Migration;

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "notify",
    migrations: MIGRATIONS,
    events: &[],
    configure: None,
    demo: None,
    jobs: &[jobs::DELIVERY],
    scopes: &[],
};

/// Schema for the outbox.
pub const MIGRATIONS: &[Migration] = &[
    Migration::portable(
        2026112305,
        "outbox",
        include_str!("../migrations/0001_outbox.sql"),
    ),
    Migration::portable(
        2026112306,
        "outbox_retries",
        include_str!("../migrations/0002_retries.sql"),
    ),
];
