//! Administration on the command line, `townhall admin …`: councils (from
//! places, which the command-line kernel hands every command), teams, staff
//! accounts and their passwords, and API keys for machine clients.

mod run;

use clap::{Args as _, FromArgMatches, Subcommand};
use townhall_cli::{Commands, Running, StoreArgs};
use townhall_kernel::Platform;

/// `townhall admin`, as the binary lists it.
pub const COMMANDS: Commands = Commands {
    under: None,
    command,
    run,
};

fn command() -> clap::Command {
    Admin::augment_args(
        clap::Command::new("admin")
            .subcommand_required(true)
            .arg_required_else_help(true),
    )
}

fn run<'a>(matches: &'a clap::ArgMatches, platform: &'a Platform) -> Running<'a> {
    Box::pin(async move {
        let admin = Admin::from_arg_matches(matches)?;
        run::admin(admin, platform).await
    })
}

/// Administration: councils, staff, passwords, API keys.
#[derive(clap::Args)]
struct Admin {
    #[command(flatten)]
    store: StoreArgs,
    /// The council's short name (defaults to the only council).
    #[arg(long, global = true)]
    council: Option<String>,
    #[command(subcommand)]
    command: AdminCommand,
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
        /// caseworker, team_leader, customer_services, data_protection_officer or
        /// administrator.
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
        /// What the key may do, as AREA:ACCESS[:WHICH], e.g. `open311:write` or
        /// `index:write:council_tax`; give it once for each. A scope none of the
        /// platform's capabilities declares is refused, naming those they do.
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::FromArgMatches;

    use super::*;

    #[test]
    fn the_command_is_well_formed() {
        command().debug_assert();
    }

    /// The store and council flags may come before or after a nested
    /// subcommand.
    #[test]
    fn global_flags_are_read_in_either_order() {
        let create = [
            "api-key",
            "create",
            "--name",
            "X",
            "--scope",
            "open311:write",
        ];
        let flags = ["--data-dir", "D", "--council", "c"];
        for args in [
            [&["admin"][..], &flags, &create].concat(),
            [&["admin"][..], &create, &flags].concat(),
        ] {
            let matches = command().try_get_matches_from(&args).unwrap();
            let admin = Admin::from_arg_matches(&matches).unwrap();
            assert_eq!(admin.store.data_dir, PathBuf::from("D"), "{args:?}");
            assert_eq!(admin.council.as_deref(), Some("c"), "{args:?}");
            assert!(
                matches!(
                    admin.command,
                    AdminCommand::ApiKey {
                        command: ApiKeyCommand::Create { .. }
                    }
                ),
                "{args:?}"
            );
        }
    }
}
