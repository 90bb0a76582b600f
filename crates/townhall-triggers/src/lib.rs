//! Event triggers, as files: each rule in a council's `triggers/*.toml`
//! says what must happen at a home (a signal, so many times over
//! consecutive collections or within so many days, or absent for so long;
//! [`window`]), what must be true of the person living there (their age, a
//! field of one of their records, their consent), and whom to refer them
//! to, and is checked on load against what the council has ([`rule`]).

mod configure;
pub mod demo;
pub mod dry_run;
pub mod evaluate;
mod events;
pub mod firing;
pub mod live;
mod looks;
pub mod permissions;
pub mod referral;
pub mod rule;
pub mod said;
mod sources;
pub mod window;

pub use configure::Triggers;
pub use events::Fired;
pub use firing::{Firing, Status};
pub use looks::Looks;
pub use rule::{Fact, Recipient, Rule, Signal, Window};

use townhall_store::Migration;

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "triggers",
    migrations: MIGRATIONS,
    events: events::TYPES,
    configure: Some(configure::configure),
    demo: Some(demo::seed),
    jobs: &[live::JOB],
    scopes: &[],
};

/// Schema for the rules' firings.
pub const MIGRATIONS: &[Migration] = &[Migration::portable(
    2026120802,
    "trigger_firings",
    include_str!("../migrations/0001_firings.sql"),
)];
