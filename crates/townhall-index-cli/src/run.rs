//! The `townhall index` commands: the resident index's full linkage run, its
//! training, and loading line-of-business files into it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use townhall_store::Store;

use townhall_places::Council;

use crate::{IndexArgs, IndexCommand};
use townhall_cli::{bar, open, pick_council};
use townhall_index::configure::{read_link_settings, read_policy};
use townhall_kernel::Platform;

pub(crate) async fn index(command: IndexCommand, platform: &Platform) -> anyhow::Result<ExitCode> {
    match command {
        IndexCommand::Link {
            inputs,
            sources,
            allow_unreadable,
            output,
            review_output,
            link_only,
            deduplicated,
            threshold,
            model,
            save_model,
            map,
            review_twins,
            settings,
            index: args,
        } => {
            if inputs.is_empty() {
                let file_only = [
                    ("--output", output.is_some()),
                    ("--review-output", review_output.is_some()),
                    ("--link-only", link_only),
                    ("--deduplicated", !deduplicated.is_empty()),
                    ("--threshold", threshold.is_some()),
                    ("--model", model.is_some()),
                    ("--save-model", save_model.is_some()),
                    ("--map", map.is_some()),
                    ("--review-twins", review_twins),
                    ("--source", !sources.is_empty()),
                    ("--allow-unreadable", allow_unreadable),
                    ("--settings", settings.is_some()),
                ];
                if let Some((flag, _)) = file_only.iter().find(|(_, given)| *given) {
                    bail!("{flag} applies to linking files; name the files, or leave it out to link the council's index (its settings are in index.toml)");
                }
                return link_council(&args, platform).await;
            }
            let output = output.context(
                "--output is needed when linking files: where to write each record's cluster",
            )?;
            let inputs = named_inputs(&inputs, sources)?;
            let settings = match settings {
                Some(path) => read_link_settings(&path)?,
                None => Default::default(),
            };
            let options = townhall_index::batch::Options {
                link_only,
                deduplicated,
                review_twins,
                review_output,
                allow_unreadable,
                threshold,
                model,
                save_model,
                mapping: match map {
                    Some(path) => townhall_index::files::Mapping::load(&path, &settings.columns)?,
                    None => Default::default(),
                },
                settings,
            };
            link_files(&inputs, &output, &options)
        }
        IndexCommand::Import {
            system,
            file,
            map,
            allow_unreadable,
            index: args,
        } => {
            let (store, council, _, policy) = open_index(&args, platform).await?;
            let mapping = match map {
                Some(path) => townhall_index::files::Mapping::load(&path, &[])?,
                None => Default::default(),
            };
            let done = townhall_index::import::import_file(
                &store,
                council.id,
                &policy,
                &system,
                &file,
                &mapping,
                allow_unreadable,
            )
            .await?;
            for unreadable in &done.unreadable {
                println!("  {unreadable}");
            }
            println!(
                "{system}: {} records added, {} updated; run `townhall index link` to link them",
                done.imported.added, done.imported.updated
            );
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Explain {
            first,
            second,
            index: args,
        } => {
            let (store, council, _, _) = open_index(&args, platform).await?;
            let key = |text: &str| {
                townhall_index::records::RecordKey::parse(text)
                    .with_context(|| format!("'{text}' is not a record: write system:record_id, e.g. council_tax:CT310004"))
            };
            let (a, b) = (key(&first)?, key(&second)?);
            let e = townhall_index::explain(
                &store,
                council.id,
                &a,
                &b,
                townhall_audit::Actor::System("command-line".into()),
                "An administrator, at the command line",
            )
            .await
            .map_err(|e| match e {
                townhall_index::IndexError::NotFound => {
                    anyhow::anyhow!("the index has no record {a} or no record {b}")
                }
                other => other.into(),
            })?;
            println!("{:<16} {:<48} {:>8}", "field", "found", "weight");
            println!(
                "{:<16} {:<48} {:>+8.2}",
                "prior", "how often two records are one person", e.prior
            );
            for t in &e.terms {
                println!("{:<16} {:<48} {:>+8.2}", t.field, t.level, t.weight);
            }
            println!(
                "{:<16} {:<48} {:>+8.2}",
                "total",
                format!("probability {:.4}", e.probability),
                e.score
            );
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Settings {
            print_default,
            check,
        } => {
            if print_default {
                print!("{}", townhall_index::settings::DEFAULT);
                return Ok(ExitCode::SUCCESS);
            }
            let path = check.context("give --print-default, or --check FILE")?;
            let settings = read_link_settings(&path)?;
            for c in &settings.columns {
                println!(
                    "column {}: {} levels, read as {}",
                    c.column.name,
                    c.tests.len(),
                    c.column.kind.describe()
                );
            }
            println!("{} blocking rules of its own", settings.blocking.len());
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Export {
            output,
            index: args,
        } => {
            let (store, council, _, _) = open_index(&args, platform).await?;
            let n = townhall_index::export(&store, council.id, &output).await?;
            println!("{n} records written to {}", output.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The store, council and rules an index command works on.
async fn open_index(
    args: &IndexArgs,
    platform: &Platform,
) -> anyhow::Result<(
    Store,
    Council,
    townhall_consent::Policy,
    townhall_index::policy::IndexPolicy,
)> {
    let store = open(&args.store, platform).await?;
    let council = pick_council(&store, args.council.as_deref()).await?;
    let dir = args
        .config_dir
        .clone()
        .unwrap_or_else(|| args.store.data_dir.join("config"));
    let consent = townhall_consent::read_policy(&dir)?;
    let policy = read_policy(&dir, &consent)?.with_context(|| {
        format!(
            "{} has no index.toml: the council keeps no resident index",
            dir.display()
        )
    })?;
    Ok((store, council, consent, policy))
}

async fn link_council(args: &IndexArgs, platform: &Platform) -> anyhow::Result<ExitCode> {
    let (store, council, _, policy) = open_index(args, platform).await?;
    let started = std::time::Instant::now();
    let progress = bar();
    let summary = townhall_index::run::run(&store, council.id, &policy, &progress).await?;
    progress.finish();
    print_training(&summary.training);
    println!(
        "{} records: {} candidate pairs scored, {} linked ({} by reviewers' decisions kept), {} for review; {} persons; in {:.1} s",
        summary.records,
        summary.pairs,
        summary.links,
        summary.decisions,
        summary.review,
        summary.persons,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn print_training(training: &[(String, townhall_linkage::train::Report)]) {
    for (rule, report) in training {
        println!(
            "trained on {rule}: {} iterations, {}, {:.1}% of its pairs matches",
            report.iterations,
            if report.converged {
                "converged"
            } else {
                "did not converge"
            },
            report.match_share * 100.0
        );
    }
}

/// The files to link and their sources, from `FILE`, `FILE=SOURCE` and
/// `--source` (once per file, in order).
fn named_inputs(
    inputs: &[String],
    sources: Vec<String>,
) -> anyhow::Result<Vec<townhall_index::batch::Input>> {
    let mut inputs: Vec<_> = inputs
        .iter()
        .map(|i| townhall_index::batch::Input::parse(i))
        .collect();
    if sources.is_empty() {
        return Ok(inputs);
    }
    if sources.len() != inputs.len() || inputs.iter().any(|i| i.source.is_some()) {
        bail!(
            "--source names the source of each file in order: give it once per file ({} files, {} sources), \
             or write FILE=SOURCE instead",
            inputs.len(),
            sources.len()
        );
    }
    for (input, source) in inputs.iter_mut().zip(sources) {
        input.source = Some(source);
    }
    Ok(inputs)
}

fn link_files(
    inputs: &[townhall_index::batch::Input],
    output: &Path,
    options: &townhall_index::batch::Options,
) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let progress = bar();
    let summary = townhall_index::batch::link_files(inputs, output, options, &progress)?;
    progress.finish();
    for file in &summary.files {
        let recognised: Vec<String> = file
            .columns
            .iter()
            .map(|(f, c)| format!("{f}={c}"))
            .collect();
        println!(
            "{}: {} records ({})",
            file.source,
            file.records,
            recognised.join(", ")
        );
        for unreadable in &file.unreadable {
            println!("  {unreadable}");
        }
    }
    print_training(&summary.training);
    println!(
        "{} candidate pairs scored, {} linked, {} for review; {} persons; written to {} in {:.1} s",
        summary.pairs,
        summary.links,
        summary.review,
        summary.clusters,
        output.display(),
        started.elapsed().as_secs_f64()
    );
    println!("time by stage: {}", progress.timings());
    Ok(ExitCode::SUCCESS)
}
