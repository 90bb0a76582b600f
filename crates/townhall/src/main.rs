//! `townhall`: the command line. Thin: it reads arguments, configuration and the
//! environment, then calls the library crates.

mod config;
mod index;
mod progress;
mod run;
mod setup;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Townhall: the connected council platform.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the store is: a data directory (SQLite) or a PostgreSQL URL. Global,
/// so they may come before or after a nested subcommand
/// (`admin --data-dir D api-key create` or `admin api-key create --data-dir D`).
#[derive(clap::Args, Clone)]
pub struct StoreArgs {
    /// Directory holding the embedded SQLite store.
    #[arg(long, global = true, default_value = "./townhall-data")]
    data_dir: PathBuf,
    /// Use PostgreSQL instead, e.g. postgres://townhall@localhost/townhall.
    #[arg(long, global = true, env = "TOWNHALL_DATABASE_URL")]
    database_url: Option<String>,
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
    /// The single resident index: link people across the council's systems.
    Index {
        #[command(subcommand)]
        command: IndexCommand,
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

/// Which council's index, in which store, under which rules.
#[derive(clap::Args, Clone)]
pub struct IndexArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The council's short name (defaults to the only council).
    #[arg(long, global = true)]
    council: Option<String>,
    /// The directory with the council's consent.toml and index.toml
    /// (default: the data directory's `config`, where the demo keeps them).
    #[arg(long, global = true)]
    config_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Link people. With files: link the CSV or Parquet files given and write one row per
    /// record with its cluster. Without: link the running council's index,
    /// keeping reviewers' decisions.
    Link {
        /// The files: CSV with a header row, or Parquet (`.parquet`, `.pq`); columns
        /// recognised by their usual names. `FILE=SOURCE` names the system a file's
        /// records come from (default: the file's name without its extension).
        inputs: Vec<String>,
        /// The system each file's records come from, once per file in their order
        /// (instead of `FILE=SOURCE`).
        #[arg(long = "source")]
        sources: Vec<String>,
        /// Link even when most values of a recognised column cannot be read; they
        /// count as missing.
        #[arg(long)]
        allow_unreadable: bool,
        /// Where to write `source,record_id,cluster_id,match_probability` (files only).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Where to write the pairs for clerical review (files only):
        /// `source_a,record_id_a,source_b,record_id_b,match_probability`.
        #[arg(long)]
        review_output: Option<PathBuf>,
        /// Only link across files: no file holds duplicates of its own.
        #[arg(long)]
        link_only: bool,
        /// A source that holds each person once (an electoral register): two of
        /// its records are never one person, nor joined in one by other links.
        /// Once per such source.
        #[arg(long = "deduplicated", value_name = "SOURCE")]
        deduplicated: Vec<String>,
        /// The probability from which two records are one person (default 0.95;
        /// a council's index takes it from index.toml). Pairs from 0.5 up to it are
        /// counted for review; a threshold below 0.5 links them all.
        #[arg(long, value_parser = probability)]
        threshold: Option<f64>,
        /// Use this saved model instead of training one on the files.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Save the trained model here (JSON).
        #[arg(long)]
        save_model: Option<PathBuf>,
        /// A TOML file naming the columns of fields: `[columns] first_name = "Forename"`.
        #[arg(long)]
        map: Option<PathBuf>,
        /// The columns beyond the built-in fields and their comparisons, and blocking
        /// rules of their own (TOML; start from `townhall index settings --print-default`).
        /// They replace the built-in columns (`nhs_number`, `ni_number`, `uprn`,
        /// `soc_sec_id`, …): an empty file declares none.
        #[arg(long)]
        settings: Option<PathBuf>,
        /// Never link records whose first names differ entirely while their dates of
        /// birth agree (twins): send them for review instead.
        #[arg(long)]
        review_twins: bool,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Add a system's records to the council's index, or bring them up to date.
    Import {
        /// The system, as index.toml declares it, e.g. council_tax.
        #[arg(long)]
        system: String,
        /// Its export: CSV with a header row, or Parquet (`.parquet`, `.pq`).
        file: PathBuf,
        /// A TOML file naming the columns of fields.
        #[arg(long)]
        map: Option<PathBuf>,
        /// Import even when most values of a recognised column cannot be read;
        /// they count as missing.
        #[arg(long)]
        allow_unreadable: bool,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Why two records of the council's index score what they do, field by field.
    Explain {
        /// One record, as system:record_id.
        first: String,
        /// The other.
        second: String,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// The comparisons beyond the built-in fields: print the built-in settings
    /// to start from, or check a settings file.
    Settings {
        /// Print the built-in settings.
        #[arg(long)]
        print_default: bool,
        /// Check this settings file and say what it declares.
        #[arg(long, conflicts_with = "print_default")]
        check: Option<PathBuf>,
    },
    /// Write every record of the council's index with its person, as CSV.
    Export {
        /// Where to write `source,record_id,cluster_id,match_probability`.
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        index: IndexArgs,
    },
}

fn probability(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|p| *p > 0.0 && *p < 1.0)
        .ok_or_else(|| format!("'{s}' is not a probability between 0 and 1, like 0.95"))
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

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
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
    match runtime.block_on(run::run(cli.command)) {
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
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
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
        let Ok(Cli {
            command: Command::Index { command },
        }) = Cli::try_parse_from([
            "townhall",
            "index",
            "link",
            "--config-dir",
            "conf",
            "--council",
            "c",
            "--data-dir",
            "D",
        ])
        else {
            panic!("index link is not read");
        };
        let IndexCommand::Link { index, .. } = command else {
            panic!("not link");
        };
        assert_eq!(index.config_dir, Some(PathBuf::from("conf")));
        assert_eq!(index.store.data_dir, PathBuf::from("D"));
    }
}
