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
    /// Check the audit log has not been tampered with.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Administration: councils, staff, passwords, API keys.
    Admin {
        #[command(flatten)]
        store: StoreArgs,
        /// The council's short name (defaults to the only council).
        #[arg(long, global = true)]
        council: Option<String>,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain; exits non-zero and names the first bad entry if not intact.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a council.
    CreateCouncil {
        /// Short name for URLs, e.g. `riverside`.
        #[arg(long)]
        slug: String,
        /// Full name, e.g. "Riverside Borough Council".
        #[arg(long)]
        name: String,
    },
    /// Create a team (cases are routed to teams by name).
    CreateTeam {
        /// Its name, e.g. "Highways" or "Northgate Parish Clerk".
        #[arg(long)]
        name: String,
    },
    /// Create a staff account; the password is read from TOWNHALL_NEW_PASSWORD or asked for.
    CreateStaff {
        /// Their email address.
        #[arg(long)]
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// caseworker, team_leader, data_protection_officer or administrator.
        #[arg(long)]
        role: String,
        /// Their team's name (created if new).
        #[arg(long)]
        team: Option<String>,
    },
    /// Set a new password for a staff account and lift any lock.
    ResetPassword {
        /// Their email address.
        #[arg(long)]
        email: String,
    },
    /// API keys for machine clients.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

fn parse_scope(s: &str) -> Result<townhall_types::ApiScope, String> {
    townhall_types::ApiScope::parse(s).map_err(|e| e.to_string())
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create a key; prints only the key.
    Create {
        /// Who the key is for.
        #[arg(long)]
        name: String,
        /// What the key may do; give it once for each: `open311:write` (report
        /// through Open311), `consent:read` (ask the consent decision point),
        /// `events:read` (read the council's domain events),
        /// `index:write:SYSTEM` (send and withdraw that system's records in the
        /// resident index, e.g. index:write:council_tax).
        #[arg(long = "scope", required = true, value_parser = parse_scope)]
        scopes: Vec<townhall_types::ApiScope>,
        /// How many requests a minute the key may make (a burst of that many, then
        /// one every 60/N seconds); more are answered 429 with Retry-After.
        #[arg(long, default_value_t = townhall_identity::api_keys::DEFAULT_REQUESTS_PER_MINUTE)]
        requests_per_minute: std::num::NonZeroU32,
    },
    /// List the council's keys: id, name, scope, limit, issued, revoked (never the secret).
    List,
    /// Change how many requests a minute a key may make; running servers apply it
    /// from the key's next request.
    Limit {
        /// The key's id, as `api-key list` shows it.
        #[arg(long)]
        key_id: String,
        /// Requests a minute.
        #[arg(long)]
        requests_per_minute: std::num::NonZeroU32,
    },
    /// Revoke a key: it stops working on its next request.
    Revoke {
        /// The key's id, as `api-key list` shows it.
        #[arg(long)]
        key_id: String,
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
    townhall::commands()
        .iter()
        .fold(Cli::command(), |cli, c| cli.subcommand((c.command)()))
}

fn main() -> std::process::ExitCode {
    let matches = command_line().get_matches();
    let plugged = townhall::commands().into_iter().find_map(|c| {
        let name = (c.command)().get_name().to_owned();
        matches
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
        assert!(command_line().find_subcommand("index").is_some());
    }

    /// The store, council and configuration flags may come before or after
    /// a nested subcommand.
    #[test]
    fn global_flags_are_read_in_either_order() {
        for args in [
            &[
                "townhall",
                "admin",
                "--data-dir",
                "D",
                "--council",
                "c",
                "api-key",
                "create",
                "--name",
                "X",
                "--scope",
                "open311:write",
            ][..],
            &[
                "townhall",
                "admin",
                "api-key",
                "create",
                "--name",
                "X",
                "--scope",
                "open311:write",
                "--data-dir",
                "D",
                "--council",
                "c",
            ][..],
        ] {
            let Ok(Cli {
                command: Command::Admin { store, council, .. },
            }) = Cli::try_parse_from(args)
            else {
                panic!("{args:?} is not read as an admin command");
            };
            assert_eq!(store.data_dir, PathBuf::from("D"), "{args:?}");
            assert_eq!(council.as_deref(), Some("c"), "{args:?}");
        }
    }
}
