//! The platform Townhall runs: its one list of capabilities, each a crate
//! that plugs in through its manifest ([`townhall_kernel::Capability`]).
//! The command line (`main.rs`) and the test kit start from it, and run
//! the same [`workers::Workers`].

pub mod workers;

use townhall_kernel::{Capability, KernelError, Platform};

/// Every capability, in the order their parts are put together. A new
/// capability is a crate and one line here.
pub const CAPABILITIES: &[&Capability] = &[
    &townhall_places::CAPABILITY,
    &townhall_audit::CAPABILITY,
    &townhall_identity::CAPABILITY,
    &townhall_consent::CAPABILITY,
    &townhall_services::CAPABILITY,
    &townhall_notify::CAPABILITY,
    &townhall_cases::CAPABILITY,
    &townhall_payments::CAPABILITY,
    &townhall_index::CAPABILITY,
];

/// The platform of [`CAPABILITIES`], checked: no name or migration version
/// claimed twice.
pub fn platform() -> Result<Platform, KernelError> {
    Platform::new(CAPABILITIES)
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
