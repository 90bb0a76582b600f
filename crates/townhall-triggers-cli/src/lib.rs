//! Triggers on the command line: `townhall triggers dry-run RULE --from
//! DATE --to DATE` replays a rule over a past period, with the council's
//! configuration as the server would read it, and says whom it would have
//! referred, when and why, and whom not; nothing is sent or recorded but
//! the looks at people, in the audit log under the command's name.

mod run;

use std::path::PathBuf;

use clap::{Args as _, FromArgMatches, Subcommand};
use townhall_cli::{Commands, Running, StoreArgs};
use townhall_kernel::Platform;

/// `townhall triggers`, as the binary lists it.
pub const COMMANDS: Commands = Commands {
    under: None,
    command,
    run,
};

fn command() -> clap::Command {
    Triggers::augment_args(
        clap::Command::new("triggers")
            .about("The council's trigger rules: dry runs over past weeks")
            .subcommand_required(true)
            .arg_required_else_help(true),
    )
}

fn run<'a>(matches: &'a clap::ArgMatches, platform: &'a Platform) -> Running<'a> {
    Box::pin(async move {
        let triggers = Triggers::from_arg_matches(matches)?;
        run::triggers(triggers, platform).await
    })
}

/// The council's trigger rules.
#[derive(clap::Args)]
struct Triggers {
    #[command(flatten)]
    store: StoreArgs,
    /// The council's short name (defaults to the only council).
    #[arg(long, global = true)]
    council: Option<String>,
    /// The council's configuration directory (defaults to the data
    /// directory's `config`, where the demo keeps it).
    #[arg(long, global = true)]
    config_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: TriggersCommand,
}

#[derive(Subcommand)]
enum TriggersCommand {
    /// Replay a rule over a past period: whom it would have referred, when
    /// and why, and whom not. Nothing is sent.
    DryRun {
        /// The rule's id, as its file names it.
        rule: String,
        /// The period's first day, e.g. 2027-03-01.
        #[arg(long, value_parser = day)]
        from: time::Date,
        /// Its last day (at most 366 days after the first, and not after
        /// today).
        #[arg(long, value_parser = day)]
        to: time::Date,
        /// Who is running it, as the audit log will name them: each look
        /// at a person is recorded.
        #[arg(long)]
        by: String,
    },
}

/// A day as ISO 8601 writes it.
fn day(text: &str) -> Result<time::Date, String> {
    time::Date::parse(
        text.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| format!("'{text}' is not a day written as 2027-03-01"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        triggers: Triggers,
    }

    #[test]
    fn a_dry_run_takes_its_rule_and_period_as_iso_days() {
        let cli = Cli::try_parse_from([
            "triggers",
            "dry-run",
            "bin-not-out-gp-call",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-31",
            "--by",
            "Dana Whitfield, Data Protection Officer",
        ])
        .unwrap();
        let TriggersCommand::DryRun { rule, from, to, by } = cli.triggers.command;
        assert_eq!(by, "Dana Whitfield, Data Protection Officer");
        assert_eq!(rule, "bin-not-out-gp-call");
        assert_eq!((from.day(), to.day()), (1, 31));
        let wrong = Cli::try_parse_from([
            "triggers",
            "dry-run",
            "r",
            "--from",
            "1/3/2027",
            "--to",
            "2027-03-31",
            "--by",
            "Dana",
        ]);
        assert!(wrong.is_err_and(|e| e.to_string().contains("is not a day written as 2027-03-01")));
    }
}
