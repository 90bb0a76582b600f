//! The platform Townhall runs: its one list of capabilities, each a crate
//! that plugs in through its manifest ([`townhall_kernel::Capability`]).
//! The command line (`main.rs`) and the test kit start from it (its
//! migrations, routes and dashboard cards); the server runs every
//! capability's jobs as [`workers::Workers`], the test kit only cases'
//! message subscriber, so that each test decides when messages are sent.

pub mod workers;

use townhall_cli::Commands;
use townhall_kernel::{Capability, KernelError, Platform};
use townhall_web::Served;

/// One capability as the platform runs it: its manifest, and the pages and
/// API it serves on each site, if it serves any of its own.
#[derive(Debug)]
pub struct Part {
    /// What the capability provides the platform.
    pub manifest: &'static Capability,
    /// What its web crate serves: routes, dashboard cards.
    pub web: Option<Served>,
    /// Its subcommand of `townhall`, from its command-line crate.
    pub commands: Option<Commands>,
}

impl Part {
    const fn of(manifest: &'static Capability) -> Self {
        Part {
            manifest,
            web: None,
            commands: None,
        }
    }

    const fn served(manifest: &'static Capability, web: Served) -> Self {
        Part {
            manifest,
            web: Some(web),
            commands: None,
        }
    }

    const fn with_commands(self, commands: Commands) -> Self {
        Part {
            commands: Some(commands),
            ..self
        }
    }
}

/// Every capability, in the order their parts are put together. A new
/// capability is a crate (and its web crate) and one line here.
pub const CAPABILITIES: &[Part] = &[
    Part::of(&townhall_places::CAPABILITY),
    Part::of(&townhall_audit::CAPABILITY).with_commands(townhall_audit_cli::COMMANDS),
    Part::served(&townhall_identity::CAPABILITY, townhall_identity_web::WEB)
        .with_commands(townhall_identity_cli::COMMANDS),
    Part::served(&townhall_consent::CAPABILITY, townhall_consent_web::WEB),
    Part::of(&townhall_services::CAPABILITY),
    Part::served(&townhall_waste::CAPABILITY, townhall_waste_web::WEB),
    Part::of(&townhall_notify::CAPABILITY),
    Part::of(&townhall_payments::CAPABILITY),
    Part::served(&townhall_cases::CAPABILITY, townhall_cases_web::WEB),
    Part::served(&townhall_index::CAPABILITY, townhall_index_web::WEB)
        .with_commands(townhall_index_cli::COMMANDS),
    Part::served(&townhall_exchange::CAPABILITY, townhall_exchange_web::WEB)
        .with_commands(townhall_exchange_cli::COMMANDS),
    Part::served(&townhall_sensors::CAPABILITY, townhall_sensors_web::WEB)
        .with_commands(townhall_sensors_cli::COMMANDS),
    Part::served(&townhall_triggers::CAPABILITY, townhall_triggers_web::WEB)
        .with_commands(townhall_triggers_cli::COMMANDS),
];

/// The platform of [`CAPABILITIES`], checked: no name or migration version
/// claimed twice.
pub fn platform() -> Result<Platform, KernelError> {
    let manifests: Vec<&'static Capability> = CAPABILITIES.iter().map(|p| p.manifest).collect();
    Platform::new(&manifests)
}

/// The capabilities' subcommands of `townhall`.
pub fn commands() -> Vec<Commands> {
    CAPABILITIES.iter().filter_map(|p| p.commands).collect()
}

/// What every site serves, capability by capability.
pub fn web() -> Vec<Served> {
    CAPABILITIES.iter().filter_map(|p| p.web).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_capabilities_make_a_platform() {
        let platform = super::platform().unwrap();
        assert_eq!(platform.capabilities().len(), super::CAPABILITIES.len());
        assert!(platform.migrations().len() > super::CAPABILITIES.len());
    }
}
