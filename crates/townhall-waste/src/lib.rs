//! Waste collections, as the Local Waste Service Standards model them: the
//! containers a council empties (general waste, recycling, garden waste…),
//! its collection rounds (a container, a weekday, every so many weeks, the
//! wards and streets they cover) and the collections moved for bank
//! holidays, all in the council's `waste.toml`, checked on load with
//! file:line errors ([`collections`]). From them, a home's next
//! collections, and whether a day was one of its collection days.

pub mod collections;
mod configure;
pub mod demo;

pub use collections::{Change, Collections, Container, Next, Round, Street};

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "waste",
    migrations: &[],
    events: &[],
    configure: Some(configure::configure),
    demo: Some(demo::seed),
    jobs: &[],
    scopes: &[],
};
