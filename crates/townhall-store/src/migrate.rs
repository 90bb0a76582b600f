//! Schema migrations for both backends, owned by the components that need them.
//!
//! Each component crate exports its own `MIGRATIONS`; the binary hands the whole
//! list to [`Store::migrate`]. Versions are global and ordered (`YYYYMMDDNN`), a
//! migration that was applied may never change (its checksum is kept), and on
//! PostgreSQL an advisory lock stops two processes migrating at once.

use sha2::{Digest, Sha256};
use sqlx::{Acquire, Executor};

use crate::{Backend, Store, StoreError};

/// One schema change, with the SQL for each backend.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Global order, `YYYYMMDDNN`.
    pub version: i64,
    /// A short name, e.g. `audit_log`.
    pub name: &'static str,
    /// The statements for SQLite.
    pub sqlite: &'static str,
    /// The statements for PostgreSQL.
    pub postgres: &'static str,
}

impl Migration {
    /// A migration whose SQL is the same on both backends.
    pub const fn portable(version: i64, name: &'static str, sql: &'static str) -> Self {
        Self {
            version,
            name,
            sqlite: sql,
            postgres: sql,
        }
    }

    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    fn checksum(&self, backend: Backend) -> String {
        hex::encode(Sha256::digest(self.sql(backend).as_bytes()))
    }
}

/// What [`Store::migrate`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied by this run, in order.
    pub applied: Vec<i64>,
    /// Versions that were already there.
    pub already: usize,
}

const LOCK_KEY: i64 = 0x7417_4a11;

impl Store {
    /// Brings the schema up to date with `migrations` (in any order; they are sorted).
    pub async fn migrate(&self, migrations: &[Migration]) -> Result<MigrationReport, StoreError> {
        let mut sorted: Vec<&Migration> = migrations.iter().collect();
        sorted.sort_by_key(|m| m.version);
        let mut conn = self.writer.acquire().await?;
        if self.backend == Backend::Postgres {
            conn.execute(sqlx::query("SELECT pg_advisory_lock($1)").bind(LOCK_KEY))
                .await?;
        }
        let outcome = self.migrate_on(&mut conn, &sorted).await;
        if self.backend == Backend::Postgres {
            conn.execute(sqlx::query("SELECT pg_advisory_unlock($1)").bind(LOCK_KEY))
                .await?;
        }
        outcome
    }

    async fn migrate_on(
        &self,
        conn: &mut sqlx::AnyConnection,
        sorted: &[&Migration],
    ) -> Result<MigrationReport, StoreError> {
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .await?;
        let done: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut report = MigrationReport::default();
        for (version, name, checksum) in &done {
            let known = sorted
                .iter()
                .find(|m| m.version == *version)
                .ok_or(StoreError::UnknownMigration(*version))?;
            if known.checksum(self.backend) != *checksum {
                return Err(StoreError::MigrationChanged {
                    version: *version,
                    name: name.clone(),
                });
            }
            report.already += 1;
        }
        for migration in sorted {
            if done.iter().any(|(v, _, _)| *v == migration.version) {
                continue;
            }
            let mut tx = conn.begin().await?;
            sqlx::raw_sql(migration.sql(self.backend))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(migration.version)
            .bind(migration.name)
            .bind(migration.checksum(self.backend))
            .bind(townhall_types::Timestamp::now().to_db())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(
                version = migration.version,
                name = migration.name,
                "migration applied"
            );
            report.applied.push(migration.version);
        }
        Ok(report)
    }
}
