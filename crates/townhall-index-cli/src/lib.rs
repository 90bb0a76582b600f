//! The resident index on the command line, `townhall index …`: link files
//! or the council's index, import a system's export, explain a pair, check
//! the comparison settings, export every record with its person.

mod run;

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use townhall_cli::{Commands, Running, StoreArgs};
use townhall_kernel::Platform;

/// `townhall index`, as the binary lists it.
pub const COMMANDS: Commands = Commands {
    under: None,
    command,
    run,
};

fn command() -> clap::Command {
    IndexCommand::augment_subcommands(
        clap::Command::new("index")
            .about("The single resident index: link people across the council's systems")
            .subcommand_required(true)
            .arg_required_else_help(true),
    )
}

fn run<'a>(matches: &'a clap::ArgMatches, platform: &'a Platform) -> Running<'a> {
    Box::pin(async move {
        let command = IndexCommand::from_arg_matches(matches)?;
        run::index(command, platform).await
    })
}

/// Which council's index, in which store, under which rules.
#[derive(clap::Args, Clone)]
pub(crate) struct IndexArgs {
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
pub(crate) enum IndexCommand {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        command().debug_assert();
    }

    /// The store, council and configuration flags are read in any order.
    #[test]
    fn flags_are_read_in_any_order() {
        for args in [
            &[
                "index",
                "link",
                "--config-dir",
                "conf",
                "--council",
                "c",
                "--data-dir",
                "D",
            ][..],
            &[
                "index",
                "link",
                "--data-dir",
                "D",
                "--council",
                "c",
                "--config-dir",
                "conf",
            ][..],
        ] {
            let matches = command().try_get_matches_from(args).unwrap();
            let Ok(IndexCommand::Link { index, .. }) = IndexCommand::from_arg_matches(&matches)
            else {
                panic!("{args:?} is not read as index link");
            };
            assert_eq!(index.config_dir, Some(PathBuf::from("conf")), "{args:?}");
            assert_eq!(index.council.as_deref(), Some("c"), "{args:?}");
            assert_eq!(index.store.data_dir, PathBuf::from("D"), "{args:?}");
        }
    }
}
