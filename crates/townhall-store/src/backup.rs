//! Backup and restore: every table, row by row, as JSON lines.
//!
//! A backup is a logical copy, not a file copy, so it can be taken from a
//! running server on either backend and restored into either backend (moving
//! from the embedded store to PostgreSQL is a backup and a restore). The file is:
//!
//! ```text
//! {"townhall_backup":1,"created_at":"…","migrations":[2026112301,…]}
//! {"table":"councils","columns":["council_id",…],"rows":1}
//! ["0193…","riverside",…]
//! …
//! {"end":true,"tables":14,"rows":12345}
//! ```
//!
//! Tables come parents first (by their foreign keys), so a restore inserts each
//! row after the rows it points to. A restore only goes into an empty store that
//! has exactly the backup's migrations, and runs in one transaction: a damaged or
//! truncated file leaves the target as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use sqlx::Row as _;
use townhall_types::Timestamp;

use crate::{Backend, Progress, Store, StoreError};

/// The format version written in the first line.
const FORMAT: u64 = 1;
/// Rows per INSERT statement on restore.
const BATCH: usize = 200;

/// How a column's values are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Text,
    Integer,
    Real,
    /// Bytes, written to the file in base64.
    Blob,
}

impl ColumnType {
    fn from_declared(table: &str, column: &str, declared: &str) -> Result<Self, StoreError> {
        let t = declared.to_ascii_lowercase();
        if t.contains("char") || t.contains("text") {
            Ok(Self::Text)
        } else if t.contains("int") {
            Ok(Self::Integer)
        } else if t.contains("double") || t.contains("real") || t.contains("float") {
            Ok(Self::Real)
        } else if t == "blob" || t == "bytea" {
            Ok(Self::Blob)
        } else {
            Err(StoreError::Backup(format!(
                "column {table}.{column} has type {declared}, which backups do not handle"
            )))
        }
    }
}

#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<(String, ColumnType)>,
}

/// What a backup or restore moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Tables copied.
    pub tables: u64,
    /// Rows copied.
    pub rows: u64,
}

fn bad(msg: impl Into<String>) -> StoreError {
    StoreError::Backup(msg.into())
}

fn io(e: std::io::Error) -> StoreError {
    bad(e.to_string())
}

impl Store {
    /// Writes every row of every table (but the migration ledger) to `out`.
    pub async fn backup(
        &self,
        out: &mut dyn Write,
        progress: &dyn Progress,
    ) -> Result<BackupSummary, StoreError> {
        let tables = self.tables_parents_first().await?;
        // One read transaction, so every table is copied as of the same moment.
        let mut snapshot = self.reader.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *snapshot)
                .await?;
        }
        let mut totals = Vec::with_capacity(tables.len());
        for t in &tables {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {}", t.name))
                .fetch_one(&mut *snapshot)
                .await?;
            totals.push(u64::try_from(n).unwrap_or(0));
        }
        let total: u64 = totals.iter().sum();
        let header = json!({
            "townhall_backup": FORMAT,
            "created_at": Timestamp::now().to_db(),
            "migrations": self.applied_migrations().await?,
        });
        writeln!(out, "{header}").map_err(io)?;
        let mut done = 0u64;
        for (t, count) in tables.iter().zip(&totals) {
            let names: Vec<&str> = t.columns.iter().map(|(n, _)| n.as_str()).collect();
            writeln!(
                out,
                "{}",
                json!({"table": t.name, "columns": names, "rows": count})
            )
            .map_err(io)?;
            let sql = format!("SELECT {} FROM {}", names.join(", "), t.name);
            let mut rows = sqlx::query(&sql).fetch(&mut *snapshot);
            while let Some(row) = rows.try_next().await? {
                let mut values = Vec::with_capacity(t.columns.len());
                for (i, (_, kind)) in t.columns.iter().enumerate() {
                    values.push(match kind {
                        ColumnType::Text => json!(row.try_get::<Option<String>, _>(i)?),
                        ColumnType::Integer => json!(row.try_get::<Option<i64>, _>(i)?),
                        ColumnType::Real => json!(row.try_get::<Option<f64>, _>(i)?),
                        ColumnType::Blob => json!(row
                            .try_get::<Option<Vec<u8>>, _>(i)?
                            .map(|b| BASE64.encode(b))),
                    });
                }
                writeln!(out, "{}", Value::Array(values)).map_err(io)?;
                done += 1;
                if done % 5_000 == 0 {
                    progress.step(&t.name, done, total);
                }
            }
        }
        snapshot.commit().await?;
        let summary = BackupSummary {
            tables: tables.len() as u64,
            rows: done,
        };
        writeln!(
            out,
            "{}",
            json!({"end": true, "tables": summary.tables, "rows": summary.rows})
        )
        .map_err(io)?;
        out.flush().map_err(io)?;
        progress.step("done", done, total.max(done));
        Ok(summary)
    }

    /// Loads a backup into this store, which must be migrated and empty.
    pub async fn restore(
        &self,
        input: &mut dyn BufRead,
        progress: &dyn Progress,
    ) -> Result<BackupSummary, StoreError> {
        let tables: BTreeMap<String, Table> = self
            .tables_parents_first()
            .await?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        for name in tables.keys() {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {name}"))
                .fetch_one(&self.reader)
                .await?;
            if n > 0 {
                return Err(bad(format!(
                    "the target store already holds data (table {name} has {n} rows); restore only into a new, empty store"
                )));
            }
        }
        let mut lines = Lines { input, number: 0 };
        let header = lines.json()?.ok_or_else(|| bad("the file is empty"))?;
        if header["townhall_backup"].as_u64() != Some(FORMAT) {
            return Err(bad(
                "line 1: this is not a Townhall backup (or one in a newer format)",
            ));
        }
        let expected: Vec<i64> = serde_json::from_value(header["migrations"].clone())
            .map_err(|_| bad("line 1: the list of migrations is missing"))?;
        let applied = self.applied_migrations().await?;
        if expected != applied {
            return Err(bad(format!(
                "the backup was taken at schema version {} but this Townhall is at {}; restore it with the same version of Townhall",
                expected.last().copied().unwrap_or_default(),
                applied.last().copied().unwrap_or_default()
            )));
        }
        let mut tx = self.begin().await?;
        let mut seen = BTreeSet::new();
        let mut copied = 0u64;
        loop {
            let line = lines.number + 1;
            let Some(section) = lines.json()? else {
                return Err(bad(format!(
                    "the file ends at line {line} without its closing line; it is incomplete, so nothing was restored"
                )));
            };
            if section["end"] == json!(true) {
                if section["rows"].as_u64() != Some(copied) {
                    return Err(bad(format!(
                        "line {line}: the file says it holds {} rows but {copied} were read; nothing was restored",
                        section["rows"]
                    )));
                }
                break;
            }
            let name = section["table"]
                .as_str()
                .ok_or_else(|| bad(format!("line {line}: expected a table heading")))?;
            let table = tables.get(name).ok_or_else(|| {
                bad(format!(
                    "line {line}: table {name} does not exist in this store"
                ))
            })?;
            let columns: Vec<String> = serde_json::from_value(section["columns"].clone())
                .map_err(|_| bad(format!("line {line}: the column list is missing")))?;
            let ours: Vec<&String> = table.columns.iter().map(|(n, _)| n).collect();
            if columns.iter().collect::<Vec<_>>() != ours {
                return Err(bad(format!(
                    "line {line}: table {name} has columns {columns:?} in the backup but {ours:?} here"
                )));
            }
            seen.insert(name.to_owned());
            let rows = section["rows"]
                .as_u64()
                .ok_or_else(|| bad(format!("line {line}: the row count is missing")))?;
            let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
            for _ in 0..rows {
                let row_line = lines.number + 1;
                let row = match lines.json()? {
                    Some(Value::Array(values)) if values.len() == table.columns.len() => values,
                    _ => {
                        return Err(bad(format!(
                            "line {row_line}: expected a row of {} values for table {name}",
                            table.columns.len()
                        )))
                    }
                };
                batch.push(row);
                if batch.len() == BATCH {
                    insert(&mut tx, table, &batch).await?;
                    copied += batch.len() as u64;
                    batch.clear();
                    progress.step(name, copied, 0);
                }
            }
            if !batch.is_empty() {
                insert(&mut tx, table, &batch).await?;
                copied += batch.len() as u64;
            }
        }
        tx.commit().await?;
        progress.step("done", copied, copied);
        Ok(BackupSummary {
            tables: seen.len() as u64,
            rows: copied,
        })
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations ORDER BY version")
                .fetch_all(&self.reader)
                .await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    /// Every data table with its columns, each after the tables it refers to.
    async fn tables_parents_first(&self) -> Result<Vec<Table>, StoreError> {
        let mut pending = BTreeMap::new();
        for name in self.table_names().await? {
            if name == "schema_migrations" {
                continue;
            }
            let parents = self.parents_of(&name).await?;
            pending.insert(name, parents);
        }
        let mut ordered = Vec::new();
        let mut placed = BTreeSet::new();
        while !pending.is_empty() {
            let ready: Vec<String> = pending
                .iter()
                .filter(|(name, parents)| {
                    parents
                        .iter()
                        .all(|p| p == *name || placed.contains(p) || !pending.contains_key(p))
                })
                .map(|(name, _)| name.clone())
                .collect();
            if ready.is_empty() {
                return Err(bad(format!(
                    "tables {:?} refer to each other in a cycle",
                    pending.keys().collect::<Vec<_>>()
                )));
            }
            for name in ready {
                pending.remove(&name);
                placed.insert(name.clone());
                ordered.push(name);
            }
        }
        let mut tables = Vec::with_capacity(ordered.len());
        for name in ordered {
            let columns = self
                .column_types(&name)
                .await?
                .into_iter()
                .map(|(c, declared)| {
                    ColumnType::from_declared(&name, &c, &declared).map(|t| (c, t))
                })
                .collect::<Result<_, _>>()?;
            tables.push(Table { name, columns });
        }
        Ok(tables)
    }

    async fn parents_of(&self, table: &str) -> Result<Vec<String>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)",
            Backend::Postgres => {
                "SELECT DISTINCT ccu.table_name::text FROM information_schema.table_constraints tc \
                 JOIN information_schema.constraint_column_usage ccu \
                   ON tc.constraint_name = ccu.constraint_name AND tc.constraint_schema = ccu.constraint_schema \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
                   AND tc.table_name = $1"
            }
        };
        let rows: Vec<(String,)> = sqlx::query_as(sql)
            .bind(table)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    async fn column_types(&self, table: &str) -> Result<Vec<(String, String)>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
            Backend::Postgres => {
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            }
        };
        Ok(sqlx::query_as(sql)
            .bind(table)
            .fetch_all(&self.reader)
            .await?)
    }
}

/// Inserts `rows` into `table` with one statement, each value bound with its column's type.
async fn insert(tx: &mut crate::Tx, table: &Table, rows: &[Vec<Value>]) -> Result<(), StoreError> {
    let width = table.columns.len();
    let values: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        table.name,
        names.join(", "),
        values.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for row in rows {
        for ((column, kind), value) in table.columns.iter().zip(row) {
            let wrong = || {
                bad(format!(
                    "a value for {}.{column} is not of the column's type: {value}",
                    table.name
                ))
            };
            query = match (kind, value) {
                (ColumnType::Text, Value::Null) => query.bind(None::<String>),
                (ColumnType::Text, Value::String(s)) => query.bind(Some(s.clone())),
                (ColumnType::Integer, Value::Null) => query.bind(None::<i64>),
                (ColumnType::Integer, v) => query.bind(Some(v.as_i64().ok_or_else(wrong)?)),
                (ColumnType::Real, Value::Null) => query.bind(None::<f64>),
                (ColumnType::Real, v) => query.bind(Some(v.as_f64().ok_or_else(wrong)?)),
                (ColumnType::Blob, Value::Null) => query.bind(None::<Vec<u8>>),
                (ColumnType::Blob, Value::String(s)) => {
                    query.bind(Some(BASE64.decode(s).map_err(|_| wrong())?))
                }
                (ColumnType::Text | ColumnType::Blob, _) => return Err(wrong()),
            };
        }
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// The input, one JSON value per line, counting lines for error messages.
struct Lines<'a> {
    input: &'a mut dyn BufRead,
    number: u64,
}

impl Lines<'_> {
    fn json(&mut self) -> Result<Option<Value>, StoreError> {
        let mut text = String::new();
        let read = self.input.read_line(&mut text).map_err(io)?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| bad(format!("line {}: {e}", self.number)))
    }
}
