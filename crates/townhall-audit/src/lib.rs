//! The tamper-evident audit log.
//!
//! Every read or change of personal data — by staff, partners or the system — is
//! appended here **in the same transaction as the change it records**, so there is
//! never a change without its entry nor an entry without its change.
//!
//! Each council has its own hash chain: entry *n* stores
//! `hash_n = SHA-256(hash_{n-1} ‖ canonical(entry_n))`, and the council's head row
//! holds the last sequence number and hash. [`verify`] recomputes every chain and
//! names the first entry that was edited, removed or reordered. Appends take a row
//! lock on the head, so concurrent writers queue rather than fork the chain.

mod entry;
mod verify;

pub use entry::{Action, Actor, AuditEvent, AuditRecord, Outcome};
pub use verify::{verify, Breach, VerifyError, VerifyReport};

use sha2::{Digest, Sha256};
use townhall_store::{sql, Migration, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp};

/// Schema for the audit log.
pub const MIGRATIONS: &[Migration] = &[Migration::portable(
    2026112302,
    "audit_log",
    include_str!("../migrations/0001_audit_log.sql"),
)];

/// The hash that precedes the first entry of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends `event` to its council's chain inside `tx`.
pub async fn append(tx: &mut Tx, event: &AuditEvent) -> Result<AuditRecord, StoreError> {
    let council = event.council.to_string();
    // Taking the head row for update serialises appends per council on PostgreSQL;
    // on SQLite the single writer connection already does. A council's first
    // entry creates its head row.
    let (seq, prev_hash) = match next_seq(tx, &council).await? {
        Some(head) => head,
        None => {
            sql::query(
                "INSERT INTO audit_heads (council_id, seq, hash) VALUES ($1, 0, $2) \
                 ON CONFLICT (council_id) DO NOTHING",
            )
            .bind(&council)
            .bind(GENESIS)
            .execute(&mut **tx)
            .await?;
            next_seq(tx, &council)
                .await?
                .ok_or_else(|| StoreError::Sql(sql::Error::RowNotFound))?
        }
    };
    let record = AuditRecord {
        seq,
        at: Timestamp::now(),
        event: event.clone(),
        prev_hash,
        hash: String::new(),
    };
    let hash = chain_hash(&record.prev_hash, &record.canonical());
    sql::query(
        "INSERT INTO audit_log (council_id, seq, at, actor_kind, actor_id, actor_label, \
         on_behalf_of, subject_id, record, fields, action, purpose, outcome, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&council)
    .bind(seq)
    .bind(record.at.to_db())
    .bind(event.actor.kind())
    .bind(event.actor.id())
    .bind(&event.actor_label)
    .bind(&event.on_behalf_of)
    .bind(&event.subject)
    .bind(&event.record)
    .bind(event.fields.join(","))
    .bind(event.action.as_str())
    .bind(&event.purpose)
    .bind(event.outcome.as_str())
    .bind(&record.prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sql::query("UPDATE audit_heads SET hash = $2 WHERE council_id = $1")
        .bind(&council)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(AuditRecord { hash, ..record })
}

/// Moves the council's head on by one: the new entry's number and the hash before it.
async fn next_seq(tx: &mut Tx, council: &str) -> Result<Option<(i64, String)>, StoreError> {
    Ok(sql::query_as(
        "UPDATE audit_heads SET seq = seq + 1 WHERE council_id = $1 RETURNING seq, hash",
    )
    .bind(council)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Appends `event` in a transaction of its own (for reads, which change nothing else).
pub async fn record(store: &Store, event: &AuditEvent) -> Result<AuditRecord, StoreError> {
    let mut tx = store.begin().await?;
    let record = append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(record)
}

/// The entries about one person, newest first: "who has looked at my information".
pub async fn about_subject(
    store: &Store,
    council: CouncilId,
    subject: &str,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    let rows = sql::query(&format!(
        "{} WHERE council_id = $1 AND subject_id = $2 ORDER BY seq DESC LIMIT $3",
        entry::SELECT
    ))
    .bind(council.to_string())
    .bind(subject)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(entry::from_row).collect()
}

pub(crate) fn chain_hash(prev: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}
