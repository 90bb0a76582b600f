//! The store: the only crate that names a SQL driver.
//!
//! One handle, [`Store`], speaks to either an embedded SQLite file (the default,
//! in WAL mode) or PostgreSQL, chosen from the URL. Every query in Townhall is
//! written once, with `$1`-style parameters that both backends accept, and runs
//! through [`sql`] (a re-export of sqlx's driver-neutral `Any` layer). Where the
//! two dialects must differ, a [`Migration`] carries one text per backend.
//!
//! Writes go through [`Store::begin`]. On SQLite all writes share one connection,
//! so transactions never fail with "database is locked"; reads use a separate
//! pool and see the last committed state. On PostgreSQL both share one pool.
//! Many small writes that arrive together go through a [`Batcher`], which
//! commits them as one (group commit).

mod backup;
mod group;
mod migrate;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use backup::BackupSummary;
pub use group::{Answer, Batch, Batcher, MAX_BATCH};
pub use migrate::{Migration, MigrationReport};
/// The driver-neutral SQL layer every domain crate writes its queries with.
pub use sqlx as sql;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection as _, Executor};

/// A write transaction. Dropping it without [`sqlx::Transaction::commit`] rolls back.
pub type Tx = sqlx::Transaction<'static, Any>;

/// A row read through the driver-neutral layer.
pub type Row = sqlx::any::AnyRow;

/// The SQL database behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names a database Townhall cannot use.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database refused or failed a statement.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// A migration already applied has since been edited.
    #[error(
        "migration {version} ({name}) was changed after it was applied; restore the original file"
    )]
    MigrationChanged {
        /// Its version.
        version: i64,
        /// Its name.
        name: String,
    },
    /// The store was migrated by a newer Townhall.
    #[error("the database has migration {0} which this version of Townhall does not know; upgrade Townhall")]
    UnknownMigration(i64),
    /// A backup file could not be read, written or restored.
    #[error("backup: {0}")]
    Backup(String),
    /// The store's directory could not be created.
    #[error("{0}")]
    Directory(String),
    /// The task that commits grouped work has stopped (the store was closed).
    #[error("the store's writer has stopped")]
    WriterStopped,
    /// A piece of grouped work panicked; its writes were rolled back.
    #[error("a write failed unexpectedly and was rolled back")]
    WorkPanicked,
}

impl StoreError {
    /// A stored value could not be turned back into its type (a damaged row).
    pub fn decode(message: impl Into<String>) -> Self {
        StoreError::Sql(sqlx::Error::Decode(message.into().into()))
    }

    /// A value could not be put in the form the store keeps it in.
    pub fn encode(message: impl Into<String>) -> Self {
        StoreError::Sql(sqlx::Error::Encode(message.into().into()))
    }
}

/// Reports how far a long job has gone, e.g. to a progress bar.
pub trait Progress: Sync {
    /// `done` of `total` units finished; `what` names the current part. A
    /// `total` of 0 means the total is not known.
    fn step(&self, what: &str, done: u64, total: u64);
}

impl Progress for () {
    fn step(&self, _: &str, _: u64, _: u64) {}
}

/// A handle to the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens (creating if needed) the SQLite store `townhall.db` in `dir`.
    pub async fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Directory(format!("cannot create {}: {e}", dir.display())))?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("townhall.db").display());
        Self::connect(&url).await
    }

    /// Connects to `sqlite://PATH` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let options = AnyConnectOptions::from_str(url)?;
        match backend {
            Backend::Sqlite => {
                // A connection to a file cannot go stale, so it is not
                // pinged before each use (a hop to its thread saved per query).
                let writer = AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|c, _| Box::pin(sqlite_pragmas(c)))
                    .connect_with(options.clone())
                    .await?;
                let reader = AnyPoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .after_connect(|c, _| Box::pin(sqlite_pragmas(c)))
                    .connect_with(options)
                    .await?;
                Ok(Self {
                    writer,
                    reader,
                    backend,
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    // A connection that was in use a moment ago is alive: it
                    // is pinged before use only after a second idle (as
                    // HikariCP does), which saves a round trip per query under
                    // load and still finds those a server restart broke.
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= IDLE_BEFORE_PING {
                                conn.ping().await?;
                            }
                            Ok(true)
                        })
                    })
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                Ok(Self {
                    writer: pool.clone(),
                    reader: pool,
                    backend,
                })
            }
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.writer.begin().await?)
    }

    /// The pool for reads outside a transaction.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// Closes every connection, waiting for work in flight.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Names of the tables in the store, sorted.
    pub async fn table_names(&self) -> Result<Vec<String>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 ORDER BY table_name"
            }
        };
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&self.reader).await?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    /// Names of the columns of `table`, in order.
    pub async fn column_names(&self, table: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(&self.reader)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(&self.reader)
                .await?
            }
        };
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }
}

/// Per-connection settings for SQLite: WAL, a busy timeout and foreign keys.
/// `synchronous = FULL` makes every commit durable before it is acknowledged:
/// a request the council has confirmed survives a power cut, not only a crash
/// (WAL's `NORMAL` may lose the last commits to one).
async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
    )
    .await
    .map(|_| ())
}

/// How long a PostgreSQL connection may sit idle and still be used without a ping.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// A database URL with any password removed, safe to print.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The `VALUES` list of a multi-row insert of `rows` rows of `columns`
/// values each: `($1, $2), ($3, $4)` for two rows of two. Both backends take
/// at least 32,766 parameters in one statement.
pub fn placeholders(rows: usize, columns: usize) -> String {
    let mut text = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for column in 0..columns {
            if column > 0 {
                text.push_str(", ");
            }
            text.push('$');
            text.push_str(&(row * columns + column + 1).to_string());
        }
        text.push(')');
    }
    text
}

/// Whether an error is a unique-constraint violation (a row that already exists).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.code()
                .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_number_every_value_of_every_row() {
        assert_eq!(placeholders(1, 1), "($1)");
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(0, 4), "");
    }
}
