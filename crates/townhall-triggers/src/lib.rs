//! Event triggers, as files: each rule in a council's `triggers/*.toml`
//! says what must happen at a home (a signal, so many times over
//! consecutive collections or within so many days, or absent for so long;
//! [`window`]), what must be true of the person living there (their age, a
//! field of one of their records, their consent), and whom to refer them
//! to, and is checked on load against what the council has ([`rule`]).

mod configure;
pub mod demo;
pub mod rule;
pub mod window;

pub use configure::Triggers;
pub use rule::{Fact, Recipient, Rule, Signal, Window};

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "triggers",
    migrations: &[],
    events: &[],
    configure: Some(configure::configure),
    demo: Some(demo::seed),
    jobs: &[],
    scopes: &[],
};
