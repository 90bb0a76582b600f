//! What `townhall triggers` does.

use std::process::ExitCode;

use anyhow::Context;
use townhall_audit::Actor;
use townhall_cli::{pick_council, LogProgress};
use townhall_exchange::Agreements;
use townhall_index::live::LiveIndex;
use townhall_kernel::{CouncilSource, Platform};
use townhall_triggers::dry_run::dry_run;
use townhall_triggers::evaluate::{Evaluator, Sources};
use townhall_types::day;
use townhall_waste::Collections;

use crate::{Triggers, TriggersCommand};

/// Runs `townhall triggers`.
pub(crate) async fn triggers(triggers: Triggers, platform: &Platform) -> anyhow::Result<ExitCode> {
    let store = townhall_cli::open(&triggers.store, platform).await?;
    let council = pick_council(&store, triggers.council.as_deref()).await?;
    let dir = triggers
        .config_dir
        .unwrap_or_else(|| triggers.store.data_dir.join("config"));
    // A dry run reads the council's rules and what they are checked
    // against; its public address is not used, so any will do.
    let public_url = url::Url::parse("http://localhost/")?;
    let settings = platform
        .configure(
            &store,
            CouncilSource {
                council: council.id,
                slug: &council.slug,
                public_url: &public_url,
                dir: &dir,
            },
            &LogProgress::new(&council.slug),
        )
        .await
        .with_context(|| format!("cannot read the configuration in {}", dir.display()))?;
    let TriggersCommand::DryRun { rule, from, to, by } = triggers.command;
    let by = townhall_types::text::clean(&by)
        .ok()
        .map(|b| townhall_types::text::single_line(&b).trim().to_owned())
        .filter(|b| !b.is_empty())
        .context("--by names who runs the dry run, in words that can be typed")?;
    let rules: &townhall_triggers::Triggers = settings.require()?;
    let Some(rule) = rules.0.iter().find(|r| r.id == rule) else {
        let ids: Vec<&str> = rules.0.iter().map(|r| r.id.as_str()).collect();
        anyhow::bail!(
            "there is no rule '{rule}' in {}; the rules are: {}",
            dir.join("triggers").display(),
            if ids.is_empty() {
                "none".to_owned()
            } else {
                ids.join(", ")
            }
        );
    };
    let collections: &Collections = settings.get().context(
        "the council keeps no collection rounds (waste.toml), so there is nothing to replay",
    )?;
    let index: &LiveIndex = settings
        .get()
        .context("the council keeps no resident index (index.toml), so nobody can be found")?;
    let src = Sources {
        store: &store,
        council: council.id,
        consent: settings.require::<townhall_consent::Policy>()?,
        index: index.policy(),
        collections,
        agreements: settings.require::<Agreements>()?,
    };
    let by = Evaluator {
        actor: Actor::System("townhall triggers dry-run".into()),
        label: format!("{by}, with a dry run on the command line"),
        purpose: "a dry run of the trigger rule".into(),
    };
    let run = dry_run(&src, rule, (from, to), &by).await?;
    println!(
        "{}: from {} to {}, {} tagged bins reported; it would have referred {} {}.",
        rule.name,
        day::long(run.from),
        day::long(run.to),
        run.bins,
        run.firings(),
        if run.firings() == 1 {
            "person"
        } else {
            "people"
        }
    );
    for f in &run.found {
        let who = match &f.who {
            Some((address, name)) => format!(
                "{}\t{address}",
                name.as_deref().unwrap_or("(not in the resident index)")
            ),
            None => "a resident who has not said yes".to_owned(),
        };
        let refer = if f.fires() {
            "would refer"
        } else {
            "would not refer"
        };
        println!("\n{}\t{refer}\t{who}", day::long(f.day));
        println!("  {}", f.signal.to_staff);
        for c in &f.verdict.checks {
            println!("  {} {}", if c.met { "yes" } else { "no " }, c.to_staff);
        }
    }
    Ok(ExitCode::SUCCESS)
}
