//! The audit log on the command line, `townhall audit verify`: every hash
//! chain recomputed, and the first entry that breaks one named.

use std::process::ExitCode;

use clap::{FromArgMatches, Subcommand};
use townhall_cli::{bar, open_existing, Commands, Running, StoreArgs};
use townhall_kernel::Platform;
use townhall_store::Store;

/// `townhall audit`, as the binary lists it.
pub const COMMANDS: Commands = Commands {
    under: None,
    command,
    run,
};

fn command() -> clap::Command {
    AuditCommand::augment_subcommands(
        clap::Command::new("audit")
            .about("Check the audit log has not been tampered with")
            .subcommand_required(true)
            .arg_required_else_help(true),
    )
}

fn run<'a>(matches: &'a clap::ArgMatches, _: &'a Platform) -> Running<'a> {
    Box::pin(async move {
        match AuditCommand::from_arg_matches(matches)? {
            AuditCommand::Verify { store } => report(&open_existing(&store).await?).await,
        }
    })
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain; exits non-zero and names the first bad entry if not intact.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Verifies every audit chain in `store` and says how it stands: exit code
/// 2, with each breach, when one is broken (a restore ends with it too).
pub async fn report(store: &Store) -> anyhow::Result<ExitCode> {
    let progress = bar();
    progress.say("verifying");
    let started = std::time::Instant::now();
    let report = townhall_audit::verify(store, &progress).await?;
    progress.finish();
    if report.intact() {
        println!(
            "The audit log is intact: {} entries in {} chain(s) verified in {:.2?}.",
            report.entries,
            report.chains,
            started.elapsed()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("The audit log has been tampered with:");
        for b in &report.breaches {
            eprintln!("  {b}");
        }
        Ok(ExitCode::from(2))
    }
}
