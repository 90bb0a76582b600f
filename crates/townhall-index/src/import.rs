//! A system's export imported into the council's index: read, its ids and
//! values checked, its records added or brought up to date, and what could
//! not be read in it kept with the import.

use std::path::Path;

use townhall_store::{sql, Store};
use townhall_types::{CouncilId, Timestamp};

use crate::files::{self, Mapping, Unreadable};
use crate::policy::IndexPolicy;
use crate::records::{self, Imported, NewRecord};
use crate::IndexError;

/// What importing a file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileImport {
    /// Records added and updated.
    pub imported: Imported,
    /// The recognised columns some of whose values could not be read.
    pub unreadable: Vec<Unreadable>,
}

/// Imports the export at `path` as the records of `system`, which
/// `policy` must declare. Refused, with nothing written, when the file has
/// no id column, an empty or repeated id, or a column most of whose values
/// cannot be read (unless `allow_unreadable`).
pub async fn import_file(
    store: &Store,
    council: CouncilId,
    policy: &IndexPolicy,
    system: &str,
    path: &Path,
    mapping: &Mapping,
    allow_unreadable: bool,
) -> Result<FileImport, IndexError> {
    crate::check_sent(policy, system)?;
    let table = files::read(path, mapping, &policy.linkage.columns)?;
    if table.column("record_id").is_none() {
        return Err(IndexError::Invalid(format!(
            "{}: no column holds the records' ids in {system}; name it with --map \
             (`[columns] record_id = \"...\"`): without ids, importing again would mix people up",
            path.display()
        )));
    }
    let unreadable = table.unreadable();
    files::check_readable(&table, &unreadable, allow_unreadable)?;
    let columns = table.columns.clone();
    let records: Vec<NewRecord> = table
        .ids
        .into_iter()
        .zip(table.people)
        .map(|(record_id, person)| NewRecord {
            record_id,
            person,
            account: None,
        })
        .collect();
    // What is kept says where the values are, not what they are: they are
    // people's, and the report outlives the import.
    let kept: Vec<Unreadable> = unreadable
        .iter()
        .map(|u| Unreadable {
            example: String::new(),
            ..u.clone()
        })
        .collect();
    let mut tx = store.begin().await?;
    let imported = records::import(&mut tx, council, system, &columns, &records).await?;
    sql::query(
        "INSERT INTO index_imports (council_id, system, imported_at, file, records, added, updated, unreadable) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(council.to_string())
    .bind(system)
    .bind(Timestamp::now().to_db())
    .bind(path.display().to_string())
    .bind(records.len() as i64)
    .bind(imported.added as i64)
    .bind(imported.updated as i64)
    .bind(serde_json::to_string(&kept).unwrap_or_default())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(FileImport {
        imported,
        unreadable,
    })
}

/// A past import: the system, when, the file, and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastImport {
    /// The system imported.
    pub system: String,
    /// When.
    pub imported_at: Timestamp,
    /// The file's path as given.
    pub file: String,
    /// Records in the file.
    pub records: usize,
    /// The columns with values that could not be read.
    pub unreadable: Vec<Unreadable>,
}

/// The council's latest `limit` imports, latest first.
pub async fn latest(
    store: &Store,
    council: CouncilId,
    limit: i64,
) -> Result<Vec<PastImport>, IndexError> {
    let rows: Vec<(String, String, String, i64, String)> = sql::query_as(
        "SELECT system, imported_at, file, records, unreadable FROM index_imports \
         WHERE council_id = $1 ORDER BY imported_at DESC, system LIMIT $2",
    )
    .bind(council.to_string())
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(system, at, file, records, unreadable)| {
            let decode = |what: &str| {
                IndexError::Store(townhall_store::StoreError::decode(format!(
                    "bad {what} in index_imports"
                )))
            };
            Ok(PastImport {
                system,
                imported_at: Timestamp::parse(&at).map_err(|_| decode("time"))?,
                file,
                records: usize::try_from(records).map_err(|_| decode("count"))?,
                unreadable: serde_json::from_str(&unreadable).map_err(|_| decode("report"))?,
            })
        })
        .collect()
}
