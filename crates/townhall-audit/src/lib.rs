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
pub mod permissions;
mod verify;

pub use entry::{Action, Actor, AuditEvent, AuditRecord, Outcome, RecordRef};
pub use verify::{verify, Breach, VerifyError, VerifyReport};

use sha2::{Digest, Sha256};
use townhall_store::{sql, Migration, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp};

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "audit",
    migrations: MIGRATIONS,
    events: &[],
    configure: None,
    demo: None,
    jobs: &[],
    scopes: &[],
};

/// Schema for the audit log.
pub const MIGRATIONS: &[Migration] = &[
    Migration::portable(
        2026112302,
        "audit_log",
        include_str!("../migrations/0001_audit_log.sql"),
    ),
    Migration::portable(
        2026120715,
        "audit_log_actor",
        include_str!("../migrations/0002_audit_log_actor.sql"),
    ),
];

/// The hash that precedes the first entry of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends `event` to its council's chain inside `tx`.
pub async fn append(tx: &mut Tx, event: &AuditEvent) -> Result<AuditRecord, StoreError> {
    append_all(tx, std::slice::from_ref(event))
        .await?
        .pop()
        .ok_or_else(|| StoreError::Sql(sql::Error::RowNotFound))
}

/// Appends `events` to their councils' chains inside `tx`, in order: each
/// council's head moves once and its entries are written in one statement,
/// however many there are.
pub async fn append_all(
    tx: &mut Tx,
    events: &[AuditEvent],
) -> Result<Vec<AuditRecord>, StoreError> {
    let mut records: Vec<Option<AuditRecord>> = vec![None; events.len()];
    let mut councils: Vec<CouncilId> = Vec::new();
    for e in events {
        if !councils.contains(&e.council) {
            councils.push(e.council);
        }
    }
    for council_id in councils {
        let council = council_id.to_string();
        let mine: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].council == council_id)
            .collect();
        let count = i64::try_from(mine.len()).map_err(|e| StoreError::decode(e.to_string()))?;
        // Taking the head row for update serialises appends per council on
        // PostgreSQL; on SQLite the single writer connection already does. A
        // council's first entry creates its head row.
        let (last, mut prev_hash) = match advance(tx, &council, count).await? {
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
                advance(tx, &council, count)
                    .await?
                    .ok_or_else(|| StoreError::Sql(sql::Error::RowNotFound))?
            }
        };
        let at = Timestamp::now();
        let mut chained = Vec::with_capacity(mine.len());
        for (seq, &i) in (last - count + 1..).zip(&mine) {
            let mut record = AuditRecord {
                seq,
                at,
                event: events[i].clone(),
                prev_hash,
                hash: String::new(),
            };
            record.hash = chain_hash(&record.prev_hash, &record.canonical());
            prev_hash = record.hash.clone();
            chained.push(record);
        }
        let text = format!(
            "INSERT INTO audit_log (council_id, seq, at, actor_kind, actor_id, actor_label, \
             on_behalf_of, subject_id, record, fields, action, purpose, outcome, prev_hash, hash) \
             VALUES {}",
            townhall_store::placeholders(chained.len(), 15)
        );
        let mut insert = sql::query(&text);
        for r in &chained {
            let e = &r.event;
            insert = insert
                .bind(&council)
                .bind(r.seq)
                .bind(r.at.to_db())
                .bind(e.actor.kind())
                .bind(e.actor.id())
                .bind(&e.actor_label)
                .bind(&e.on_behalf_of)
                .bind(&e.subject)
                .bind(e.record.to_string())
                .bind(e.fields.join(","))
                .bind(e.action.as_str())
                .bind(&e.purpose)
                .bind(e.outcome.as_str())
                .bind(&r.prev_hash)
                .bind(&r.hash);
        }
        insert.execute(&mut **tx).await?;
        sql::query("UPDATE audit_heads SET hash = $2 WHERE council_id = $1")
            .bind(&council)
            .bind(&prev_hash)
            .execute(&mut **tx)
            .await?;
        for (i, record) in mine.into_iter().zip(chained) {
            records[i] = Some(record);
        }
    }
    Ok(records.into_iter().flatten().collect())
}

/// Moves the council's head on by `count`: the last new entry's number and
/// the hash before the first.
async fn advance(
    tx: &mut Tx,
    council: &str,
    count: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(sql::query_as(
        "UPDATE audit_heads SET seq = seq + $2 WHERE council_id = $1 RETURNING seq, hash",
    )
    .bind(council)
    .bind(count)
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

/// What any of `actors` did, newest first, at most `limit` entries: an
/// organisation's history (its own and its staff's).
pub async fn by_actors(
    store: &Store,
    council: CouncilId,
    actors: &[Actor],
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    if actors.is_empty() {
        return Ok(Vec::new());
    }
    let n = actors.len() * 2;
    let text = format!(
        "{} WHERE (actor_kind, actor_id) IN (VALUES {}) AND council_id = ${} \
         ORDER BY seq DESC LIMIT ${}",
        entry::SELECT,
        townhall_store::placeholders(actors.len(), 2),
        n + 1,
        n + 2
    );
    let mut query = sql::query(&text);
    for actor in actors {
        query = query.bind(actor.kind()).bind(actor.id().to_owned());
    }
    let rows = query
        .bind(council.to_string())
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
