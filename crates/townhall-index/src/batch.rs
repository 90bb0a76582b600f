//! Linking files in one go: read every input, prepare the records, link
//! them (training a model or using a saved one), and write each record's
//! cluster.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use townhall_linkage::blocking::Mode;
use townhall_linkage::link::{link_with, Settings};
use townhall_linkage::model::Model;
use townhall_linkage::record::Person;
use townhall_linkage::train::Report;
use townhall_store::Progress;

use crate::files::{self, ClusterRow, FileError, Mapping, Table};
use crate::settings::{Active, LinkSettings};

/// How to link files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only pairs across files (each file holds no duplicates of its own).
    pub link_only: bool,
    /// The sources that hold each person once (as [`Options::link_only`]
    /// says of all).
    pub deduplicated: Vec<String>,
    /// Send pairs whose first names differ entirely while their dates of
    /// birth agree (twins) for review instead of linking them.
    pub review_twins: bool,
    /// Where to write the pairs for clerical review, if anywhere.
    pub review_output: Option<PathBuf>,
    /// The probability from which records are linked (default 0.95).
    pub threshold: Option<f64>,
    /// A saved model to use instead of training one.
    pub model: Option<PathBuf>,
    /// Where to save the model trained.
    pub save_model: Option<PathBuf>,
    /// Column names for fields.
    pub mapping: Mapping,
    /// The columns beyond the built-in fields, and blocking rules of
    /// their own.
    pub settings: LinkSettings,
    /// Link even when most of a column cannot be read (its values count as
    /// missing).
    pub allow_unreadable: bool,
}

/// A file to link, and the source its records come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Its source, when not the file's name without its extension.
    pub source: Option<String>,
}

impl Input {
    /// Reads `FILE` or `FILE=SOURCE`: a path that exists is a file even
    /// with an `=` in its name.
    pub fn parse(text: &str) -> Self {
        match text.rsplit_once('=') {
            Some((path, source)) if !Path::new(text).exists() && !source.is_empty() => Input {
                path: path.into(),
                source: Some(source.to_owned()),
            },
            _ => Input {
                path: text.into(),
                source: None,
            },
        }
    }
}

/// One file read.
#[derive(Debug, Clone)]
pub struct FileSummary {
    /// Its source name.
    pub source: String,
    /// Records read.
    pub records: usize,
    /// The columns recognised: field and column name.
    pub columns: Vec<(String, String)>,
    /// The recognised columns some of whose values could not be read.
    pub unreadable: Vec<files::Unreadable>,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Each file read.
    pub files: Vec<FileSummary>,
    /// Candidate pairs scored.
    pub pairs: usize,
    /// Pairs linked.
    pub links: usize,
    /// Persons found (clusters, single records included).
    pub clusters: usize,
    /// Pairs left for clerical review.
    pub review: usize,
    /// How training went, rule by rule (empty with a saved model).
    pub training: Vec<(String, Report)>,
}

/// Links `inputs` into `output`.
pub fn link_files(
    inputs: &[Input],
    output: &Path,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Summary, FileError> {
    progress.step("reading", 0, inputs.len() as u64);
    // Files are read side by side; the first error in the order given is reported.
    let read: Vec<Result<(Table, Vec<files::Unreadable>), FileError>> = inputs
        .par_iter()
        .map(|input| {
            let table = files::read(&input.path, &options.mapping, &options.settings.columns)?;
            let table = match &input.source {
                Some(source) => table.named(source.clone()),
                None => table,
            };
            let unreadable = table.unreadable();
            files::check_readable(&table, &unreadable, options.allow_unreadable)?;
            Ok((table, unreadable))
        })
        .collect();
    let (mut tables, unreadable): (Vec<Table>, Vec<_>) = read
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    progress.step("reading", inputs.len() as u64, inputs.len() as u64);
    one_source_each(&tables)?;
    let unused = files::unused_mappings(&options.mapping, &tables);
    if !unused.is_empty() {
        return Err(FileError::Content {
            path: "--map".into(),
            message: format!("no file has the column(s) {}", unused.join(", ")),
        });
    }
    if let Some(unknown) = options
        .deduplicated
        .iter()
        .find(|d| !tables.iter().any(|t| &t.source == *d))
    {
        return Err(FileError::Content {
            path: "--deduplicated".into(),
            message: format!(
                "'{unknown}' is none of the files' sources ({})",
                tables
                    .iter()
                    .map(|t| t.source.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if options.link_only && tables.len() < 2 {
        return Err(FileError::Content {
            path: inputs
                .first()
                .map(|i| i.path.display().to_string())
                .unwrap_or_default(),
            message: "--link-only needs two or more files to link across".into(),
        });
    }
    let given = match &options.model {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| FileError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            Some(Model::from_json(&text).map_err(|e| FileError::Content {
                path: path.display().to_string(),
                message: e.0,
            })?)
        }
        None => None,
    };
    let active = active_columns(&options.settings, &tables, given.as_ref())?;
    for t in &mut tables {
        t.keep_columns(&active.columns);
    }
    progress.step("preparing", 0, 0);
    let raw: Vec<_> = tables.iter().flat_map(|t| &t.people).collect();
    let people: Vec<Person> = Person::prepare_all(raw.par_iter().copied(), &active.columns);
    drop(raw);
    // The records as read are not needed again: a million of them take
    // half a second to let go, done on a thread of its own while the
    // linking goes on.
    let read: Vec<_> = tables
        .iter_mut()
        .map(|t| std::mem::take(&mut t.people))
        .collect();
    std::thread::spawn(move || drop(read));
    let sources: Vec<u32> = tables
        .iter()
        .enumerate()
        .flat_map(|(s, t)| std::iter::repeat_n(u32::try_from(s).unwrap_or(u32::MAX), t.ids.len()))
        .collect();
    let deduplicated: Vec<bool> = tables
        .iter()
        .map(|t| options.link_only || options.deduplicated.contains(&t.source))
        .collect();
    let mode = Mode::Sources {
        of: &sources,
        deduplicated: &deduplicated,
    };
    let mut settings = Settings::default();
    settings.comparisons.extend(active.comparisons);
    settings.rules.extend(active.rules);
    if let Some(t) = options.threshold {
        settings.threshold = t;
    }
    if options.review_twins {
        settings.vetoes.push(townhall_linkage::link::Veto::twins());
    }
    let given = given.map(|m| (m, townhall_linkage::frequency::TermFrequencies::of(&people)));
    let mut linked = link_with(
        &people,
        mode,
        &settings,
        given,
        &[],
        &crate::Stages(progress),
    );
    if let Some(path) = &options.save_model {
        std::fs::write(path, linked.model.to_json()).map_err(|e| FileError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    progress.step("writing", 0, 0);
    let keys: Vec<(&str, &str)> = tables
        .iter()
        .flat_map(|t| t.ids.iter().map(move |id| (t.source.as_str(), id.as_str())))
        .collect();
    // The prepared records are let go on a thread of their own: a million
    // of them take most of a second.
    std::thread::spawn(move || drop(people));
    let written = files::write_clusters(
        output,
        keys.iter().enumerate().map(|(i, (source, id))| {
            let (root_source, root_id) = keys[linked.clusters[i] as usize];
            ClusterRow {
                source,
                record_id: id,
                cluster_id: RecordKey(root_source, root_id),
                probability: linked.confidence[i],
            }
        }),
    );
    written?;
    if let Some(path) = &options.review_output {
        files::write_pairs(
            path,
            linked.review.iter().map(|(a, b, p)| files::PairRow {
                a: keys[*a as usize],
                b: keys[*b as usize],
                probability: *p,
            }),
        )?;
    }
    drop(keys);
    let mut roots = linked.clusters.clone();
    roots.sort_unstable();
    roots.dedup();
    let summary = Summary {
        files: tables
            .iter()
            .zip(unreadable)
            .map(|(t, unreadable)| FileSummary {
                source: t.source.clone(),
                records: t.ids.len(),
                columns: t.recognised.clone(),
                unreadable,
            })
            .collect(),
        pairs: linked.pairs,
        links: linked.links.len(),
        clusters: roots.len(),
        review: linked.review.len(),
        training: std::mem::take(&mut linked.training),
    };
    // The rest (a million ids, the frequency tables) is let go on a thread
    // of its own too.
    std::thread::spawn(move || drop((tables, linked)));
    Ok(summary)
}

/// A record's key across files, `source:id`: a cluster's id is its first
/// record's.
struct RecordKey<'a>(&'a str, &'a str);

impl std::fmt::Display for RecordKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.0, self.1)
    }
}

/// Refuses two files whose records would come from one source: their ids
/// would be taken for one system's, and different people who share an id
/// for one person.
fn one_source_each(tables: &[Table]) -> Result<(), FileError> {
    for (i, t) in tables.iter().enumerate() {
        if let Some(earlier) = tables[..i].iter().find(|e| e.source == t.source) {
            return Err(FileError::Content {
                path: t.path.clone(),
                message: format!(
                    "{} and {} would both be the source '{}': name each file's source, \
                     e.g. `{}=housing_2025` or --source",
                    earlier.path, t.path, t.source, t.path
                ),
            });
        }
    }
    Ok(())
}

/// The declared columns the files are linked on: those some file has, or,
/// with a saved model, the model's (which the settings must declare, so
/// that the files' columns are recognised).
fn active_columns(
    settings: &LinkSettings,
    tables: &[Table],
    model: Option<&Model>,
) -> Result<Active, FileError> {
    let Some(model) = model else {
        let present: Vec<&str> = settings
            .columns
            .iter()
            .map(|c| c.column.name.as_str())
            .filter(|name| tables.iter().any(|t| t.column(name).is_some()))
            .collect();
        return Ok(settings.active(&present));
    };
    settings
        .for_model(model)
        .map_err(|message| FileError::Content {
            path: "--model".into(),
            message,
        })
}
