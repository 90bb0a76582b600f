//! Consent: who may see a resident's data, for what, and until when.
//!
//! Purposes and recipients are declared in a policy file ([`Policy`]), each with
//! its legal basis and its default: opt-in, opt-out, or required by law (with
//! the reason shown to the resident). Residents' choices are appended to a
//! history ([`record`]); nothing is overwritten. [`decide`] is the one decision
//! point every other part of Townhall asks before personal data leaves its home.

mod decision;
pub mod demo;
mod events;
pub mod permissions;
mod policy;
mod receipt;
mod records;

pub use decision::{decide, decide_for_partner, Decision, DecisionRequest, Ground, Undeclared};
pub use events::{ConsentGiven, ConsentWithdrawn};
pub use policy::{Default as ConsentDefault, LegalBasis, Policy, PolicyError, Purpose, Recipient};
pub use receipt::receipt;
pub use records::{
    history, record, record_all, resident_of, Change, Choice, ConsentRecord, Method,
};

use townhall_store::Migration;

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "consent",
    migrations: MIGRATIONS,
    events: events::TYPES,
    configure: Some(configure),
    demo: Some(demo::seed),
    jobs: &[],
    scopes: permissions::SCOPES,
};

/// Schema for consent records.
pub const MIGRATIONS: &[Migration] = &[Migration::portable(
    2026112304,
    "consent",
    include_str!("../migrations/0001_consent.sql"),
)];

/// Puts the council's consent policy, `consent.toml`, in its settings.
fn configure(setup: townhall_kernel::Setup<'_>) -> townhall_kernel::Loading<'_> {
    Box::pin(async move {
        let policy = read_policy(setup.dir)?;
        setup.settings.insert(policy)?;
        Ok(())
    })
}

/// The consent policy in `dir/consent.toml`, checked.
pub fn read_policy(dir: &std::path::Path) -> Result<Policy, townhall_kernel::ConfigError> {
    let path = dir.join("consent.toml");
    let text = townhall_kernel::read_file(&path)?;
    Policy::parse(&path.display().to_string(), &text).map_err(townhall_kernel::ConfigError::new)
}
