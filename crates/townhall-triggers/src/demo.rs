//! Triggers' part of the demo council: Martin's rule
//! (`demo/triggers/bin-not-out-gp-call.toml`), a bin not put out twice by a
//! resident of seventy or more with mobility needs who agreed to GP checks,
//! referred to Riverside Medical Centre.

use townhall_kernel::demo::{Seeding, Sowing};

/// The demo's rules: (file name, contents).
pub const RULES: &[(&str, &str)] = &[(
    "bin-not-out-gp-call.toml",
    include_str!("../demo/triggers/bin-not-out-gp-call.toml"),
)];

pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        for (name, text) in RULES {
            s.write_file(&format!("triggers/{name}"), text)?;
        }
        Ok(())
    })
}
