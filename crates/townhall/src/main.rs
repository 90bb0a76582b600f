//! `townhall`: the command line. Thin: it reads arguments, configuration and the
//! environment, then calls the library crates.

mod config;
mod run;

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use townhall_cli::StoreArgs;

/// Townhall: the connected council platform.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the demo: an embedded store (or the PostgreSQL database given)
    /// seeded with Riverside Borough Council. The data directory keeps the
    /// demo's configuration files and secret either way; all is reused on the
    /// next start.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Read sensors' SenML readings from this MQTT broker, under
        /// `townhall/riverside/…` (e.g. `mqtt://127.0.0.1:1883`).
        #[arg(long)]
        mqtt: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Run a real deployment from a configuration file.
    Serve {
        /// The configuration file.
        #[arg(long, default_value = "townhall.toml")]
        config: PathBuf,
        /// Use this PostgreSQL database instead of the one in the configuration.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Bring the database schema up to date.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Copy every row of the store to a file (JSON lines), from either backend.
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        /// The file to write; "-" for standard output.
        #[arg(long)]
        out: PathBuf,
    },
    /// Load a backup into a new, empty store (either backend), then verify its audit log.
    Restore {
        #[command(flatten)]
        store: StoreArgs,
        /// The backup file to read.
        #[arg(long)]
        from: PathBuf,
    },
}

/// mimalloc instead of the C library's allocator: the server allocates from
/// many threads at once (the runtime's and SQLite's), where glibc's arenas
/// contend; see BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A command asked for: one of the platform's own, or a capability's
/// with its matches.
enum Asked {
    Platform(Command),
    Capability(townhall_cli::Commands, clap::ArgMatches),
}

/// The whole command line: the platform's own commands and each
/// capability's.
fn command_line() -> clap::Command {
    let commands = townhall::commands();
    let top = commands
        .iter()
        .filter(|c| c.under.is_none())
        .fold(Cli::command(), |cli, c| cli.subcommand((c.command)()));
    commands.iter().fold(top, |cli, c| match c.under {
        Some(parent) => cli.mut_subcommand(parent, |p| p.subcommand((c.command)())),
        None => cli,
    })
}

fn main() -> std::process::ExitCode {
    let matches = command_line().get_matches();
    // A command under another is looked for first: its parent's own
    // parser does not know it.
    let mut commands = townhall::commands();
    commands.sort_by_key(|c| c.under.is_none());
    let plugged = commands.into_iter().find_map(|c| {
        let name = (c.command)().get_name().to_owned();
        let level = match c.under {
            Some(parent) => matches.subcommand_matches(parent)?,
            None => &matches,
        };
        level
            .subcommand_matches(&name)
            .map(|m| Asked::Capability(c, m.clone()))
    });
    let asked = match plugged {
        Some(asked) => asked,
        None => match Cli::from_arg_matches(&matches) {
            Ok(cli) => Asked::Platform(cli.command),
            Err(e) => e.exit(),
        },
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let done = runtime.block_on(async {
        match asked {
            Asked::Capability(c, m) => (c.run)(&m, &townhall::platform()?).await,
            Asked::Platform(command) => run::run(command).await,
        }
    });
    match done {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        command_line().debug_assert();
        for plugged in ["index", "admin", "audit"] {
            assert!(
                command_line().find_subcommand(plugged).is_some(),
                "{plugged}"
            );
        }
    }
}
