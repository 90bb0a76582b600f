//! The command line's kernel: what every capability's commands share (where
//! the store is, opening it at the platform's schema, picking the council,
//! progress on a terminal or in the log), and how a capability's commands
//! plug into `townhall` ([`Commands`]).

mod progress;
mod setup;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

use townhall_kernel::Platform;

pub use progress::{bar, Bar, LogProgress};
pub use setup::{open, open_existing, pick_council, StoreArgs};

/// A command, running: its exit code, or what went wrong.
pub type Running<'a> = Pin<Box<dyn Future<Output = anyhow::Result<ExitCode>> + 'a>>;

/// One capability's subcommand of `townhall` (e.g. `townhall index …`), or
/// of another capability's command (e.g. `townhall admin partner …`): its
/// crate gives it, the binary lists it beside the capability's manifest.
#[derive(Debug, Clone, Copy)]
pub struct Commands {
    /// The command it goes under (e.g. `admin`), or none for `townhall NAME`.
    /// It is given that command's global flags (the store, the council).
    pub under: Option<&'static str>,
    /// The subcommand, with its own subcommands and flags.
    pub command: fn() -> clap::Command,
    /// Runs what was asked, from the subcommand's matches, on the platform
    /// (whose schema a store it opens is brought up to).
    pub run: for<'a> fn(&'a clap::ArgMatches, &'a Platform) -> Running<'a>,
}

/// A new password for an account made or reset on the command line: from
/// `TOWNHALL_NEW_PASSWORD` (for scripts), else asked for on the terminal.
pub fn new_password() -> std::io::Result<String> {
    match std::env::var("TOWNHALL_NEW_PASSWORD") {
        Ok(p) => Ok(p),
        Err(_) => {
            eprint!("New password: ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}
