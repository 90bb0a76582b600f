//! The platform Townhall runs: its one list of capabilities, each a crate
//! that plugs in through its manifest ([`townhall_kernel::Capability`]).
//! The command line (`main.rs`) and the test kit start from it, and run
//! the same [`workers::Workers`].

pub mod workers;

use townhall_cli::Commands;
use townhall_kernel::{Capability, KernelError, Platform};
use townhall_web::Routes;

/// One capability as the platform runs it: its manifest, and the pages and
/// API it serves on each site, if it serves any of its own.
#[derive(Debug)]
pub struct Part {
    /// What the capability provides the platform.
    pub manifest: &'static Capability,
    /// Its routes, from its web crate.
    pub routes: Option<Routes>,
    /// Its subcommand of `townhall`, from its command-line crate.
    pub commands: Option<Commands>,
}

impl Part {
    const fn of(manifest: &'static Capability) -> Self {
        Part {
            manifest,
            routes: None,
            commands: None,
        }
    }

    const fn served(manifest: &'static Capability, routes: Routes) -> Self {
        Part {
            manifest,
            routes: Some(routes),
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
    Part::of(&townhall_audit::CAPABILITY),
    Part::served(
        &townhall_identity::CAPABILITY,
        townhall_identity_web::routes,
    )
    .with_commands(townhall_identity_cli::COMMANDS),
    Part::served(&townhall_consent::CAPABILITY, townhall_consent_web::routes),
    Part::of(&townhall_services::CAPABILITY),
    Part::of(&townhall_notify::CAPABILITY),
    Part::of(&townhall_payments::CAPABILITY),
    Part::served(&townhall_cases::CAPABILITY, townhall_cases_web::routes),
    Part::served(&townhall_index::CAPABILITY, townhall_index_web::routes)
        .with_commands(townhall_index_cli::COMMANDS),
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

/// The routes every site serves, capability by capability.
pub fn routes() -> Vec<Routes> {
    CAPABILITIES.iter().filter_map(|p| p.routes).collect()
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
