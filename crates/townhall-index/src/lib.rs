//! The single resident index: people from the council's systems, linked into
//! persons.
//!
//! For files: [`files`] reads systems' exports (CSV, with columns recognised
//! by their usual names or mapped) and writes clusters out; [`batch`] links
//! files in one go. For a running council: [`policy`] reads its rules
//! (`index.toml`), [`records`] holds systems' records in the store and
//! [`import`] brings a system's export in,
//! [`run`] links them all (keeping reviewers' decisions), [`review`] is the
//! clerical review queue and [`view`] the single view of a person, gated by
//! consent and audited; [`explain`] and [`export`] serve the command line;
//! [`live`] keeps the index in the server's memory and links records as they
//! arrive.

pub mod batch;
pub mod configure;
pub mod demo;
mod events;
pub mod fields;
pub mod files;
pub mod held;
pub mod import;
pub mod live;
pub mod permissions;
pub mod policy;
pub mod records;
pub mod review;
pub mod run;
pub mod settings;
pub mod view;

use std::path::Path;

use rayon::prelude::*;
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_linkage::frequency::TermFrequencies;
use townhall_linkage::model::Explanation;
use townhall_linkage::record::Person;
use townhall_store::{Migration, Store, StoreError};
use townhall_types::CouncilId;

pub use crate::events::{PersonChanged, Relinked};
use crate::records::RecordKey;

/// A run's stages, told to the store's progress (which a command line shows
/// as a bar).
struct Stages<'a>(&'a dyn townhall_store::Progress);

impl townhall_linkage::link::Progress for Stages<'_> {
    fn step(&self, what: &str, done: u64, total: u64) {
        self.0.step(what, done, total);
    }
}

/// The system that holds residents' Townhall accounts, when `index.toml`
/// declares it: an account is linked as it is made.
pub const ACCOUNTS: &str = "accounts";

/// Checks that `system` is one the council's systems may send records for:
/// declared in `index.toml`, and not [`ACCOUNTS`], which Townhall writes
/// itself as residents confirm their addresses (a record sent for it would
/// be an account nobody confirmed, vouched for by an address nobody proved).
pub fn check_sent(policy: &policy::IndexPolicy, system: &str) -> Result<(), IndexError> {
    if system == ACCOUNTS {
        return Err(IndexError::NotAllowed(format!(
            "'{ACCOUNTS}' holds residents' online accounts, which Townhall links itself as they are confirmed; no system sends them"
        )));
    }
    if policy.system(system).is_none() {
        return Err(IndexError::Invalid(format!(
            "the system '{system}' is not declared in index.toml; it declares: {}",
            policy
                .systems
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "index",
    migrations: MIGRATIONS,
    events: events::TYPES,
    configure: Some(configure::configure),
    demo: Some(demo::seed),
    jobs: &[],
    scopes: permissions::SCOPES,
};

/// Schema for the index.
pub const MIGRATIONS: &[Migration] = &[
    Migration::portable(
        2026112801,
        "resident_index",
        include_str!("../migrations/0001_index.sql"),
    ),
    Migration::portable(
        2026120401,
        "resident_index_imports",
        include_str!("../migrations/0002_imports.sql"),
    ),
];

/// Something the index could not do.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such record, pair or person.
    #[error("not found")]
    NotFound,
    /// The index has not been linked yet.
    #[error("the index has not been linked yet; run `townhall index link` first")]
    NotLinked,
    /// Records that cannot be taken as they are, and why.
    #[error("{0}")]
    Invalid(String),
    /// The pair was decided already.
    #[error("this pair has already been decided")]
    AlreadyDecided,
    /// The index policy does not allow it, and why.
    #[error("{0}")]
    NotAllowed(String),
    /// The consent decision point refused, and why.
    #[error("{0}")]
    Refused(String),
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] files::FileError),
    /// The work stopped on a fault of Townhall's own, and why.
    #[error("{0}")]
    Failed(String),
}

impl From<townhall_store::sql::Error> for IndexError {
    fn from(e: townhall_store::sql::Error) -> Self {
        IndexError::Store(e.into())
    }
}

/// Why two records score what they do, under the last run's model and the
/// index's present term frequencies. The reading is audited as `actor`'s.
pub async fn explain(
    store: &Store,
    council: CouncilId,
    a: &RecordKey,
    b: &RecordKey,
    actor: Actor,
    label: &str,
) -> Result<Explanation, IndexError> {
    let model = run::last_model(store, council)
        .await?
        .ok_or(IndexError::NotLinked)?;
    let mut all = records::all(store, council).await?;
    let columns = model.columns();
    records::with_columns(&mut all, &columns);
    let find = |key: &RecordKey| all.iter().position(|r| &r.key == key);
    let (Some(ia), Some(ib)) = (find(a), find(b)) else {
        return Err(IndexError::NotFound);
    };
    let people: Vec<Person> = Person::prepare_all(all.par_iter().map(|r| &r.person), &columns);
    let frequencies = TermFrequencies::of(&people);
    let mut tx = store.begin().await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (actor, label),
            Action::Read,
            RecordRef::IndexPair(format!("{a}/{b}")),
        )
        .about(all[ia].account.or(all[ib].account))
        .fields(policy::VIEW_FIELDS.iter().copied())
        .purpose("explaining whether two records are the same person"),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(model.explain(&people[ia], &people[ib], &frequencies))
}

/// Writes every record's person to `path` as CSV (`source, record_id,
/// cluster_id, match_probability`, as `index link` writes for files).
/// Returns how many records were written.
pub async fn export(store: &Store, council: CouncilId, path: &Path) -> Result<usize, IndexError> {
    let all = records::all(store, council).await?;
    if all.iter().any(|r| r.person_id.is_none()) {
        return Err(IndexError::NotLinked);
    }
    files::write_clusters(
        path,
        all.iter().filter_map(|r| {
            Some(files::ClusterRow {
                source: &r.key.system,
                record_id: &r.key.record_id,
                cluster_id: r.person_id?,
                probability: r.probability.unwrap_or(1.0),
            })
        }),
    )?;
    Ok(all.len())
}
