//! The data-exchange hub: the organisations the council shares data with
//! (GP practices, NHS trusts, the police, housing associations, schools,
//! charities, other councils) connect once, here, and every exchange with
//! them passes one decision: a data-sharing agreement in force for that
//! partner, purpose and record type, the resident's consent, and only the
//! fields the agreement names.
//!
//! [`partners`] registers the organisations and the keys they sign with;
//! [`agreement`] reads and checks the agreements, one TOML file each;
//! [`records`] is what the hub can serve, record type by record type, and
//! which of those fields are special-category data (UK GDPR Article 9);
//! [`signature`] checks and makes signed messages (RFC 9421), [`hub`] is
//! the decision point every request passes, and [`webhooks`] delivers what
//! the council sends partners. A partner's staff have accounts of their own
//! ([`staff`]) and ask the hub through its pages, decided the same way.

mod addresses;
pub mod agreement;
mod configure;
pub mod demo;
mod events;
pub mod history;
pub mod hub;
pub mod hub_key;
pub mod partners;
pub mod permissions;
pub mod records;
pub mod signature;
pub mod staff;
pub mod webhooks;

pub use agreement::{Agreement, AgreementError, Article9Condition, Condition, Direction};
pub use configure::Agreements;
pub use events::RecordReceived;
pub use hub_key::{HubKey, PublishedKey};
pub use partners::{Partner, PartnerError, PartnerKey, PartnerKind};
pub use records::{Field, RecordType, SpecialCategory, RECORD_TYPES};

use townhall_store::Migration;

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "exchange",
    migrations: MIGRATIONS,
    events: events::TYPES,
    configure: Some(configure::configure),
    demo: Some(demo::seed),
    jobs: &[webhooks::JOB],
    scopes: &[],
};

/// Schema for partners and their keys, and the hub's nonces and keys.
pub const MIGRATIONS: &[Migration] = &[
    Migration::portable(
        2026120708,
        "partners",
        include_str!("../migrations/0001_partners.sql"),
    ),
    Migration::portable(
        2026120709,
        "hub",
        include_str!("../migrations/0002_hub.sql"),
    ),
    Migration::portable(
        2026120710,
        "received",
        include_str!("../migrations/0003_received.sql"),
    ),
    Migration::portable(
        2026120711,
        "webhooks",
        include_str!("../migrations/0004_webhooks.sql"),
    ),
    Migration::portable(
        2026120712,
        "nonce age",
        include_str!("../migrations/0005_nonce_age.sql"),
    ),
    Migration::portable(
        2026120713,
        "subscriptions",
        include_str!("../migrations/0006_subscriptions.sql"),
    ),
];
