//! Proving the log intact.

use townhall_store::{sql, Progress, Store, StoreError};

use crate::entry::{canonical, StoredEntry, SELECT};
use crate::{chain_hash, GENESIS};

/// The first place where a council's chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The council whose chain is broken.
    pub council: String,
    /// The sequence number of the first bad entry.
    pub seq: i64,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "council {} entry {}: {}",
            self.council, self.seq, self.reason
        )
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: u64,
    /// Chains (councils) checked.
    pub chains: u64,
    /// The first bad entry of each broken chain; empty when the log is intact.
    pub breaches: Vec<Breach>,
}

impl VerifyReport {
    /// Whether every chain held.
    pub fn intact(&self) -> bool {
        self.breaches.is_empty()
    }
}

const BATCH: i64 = 20_000;

/// Recomputes every council's hash chain and checks it against the stored hashes
/// and the chain heads.
pub async fn verify(store: &Store, progress: &dyn Progress) -> Result<VerifyReport, StoreError> {
    let pool = store.reader();
    let (total,): (i64,) = sql::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(pool)
        .await?;
    let total = u64::try_from(total).unwrap_or_default();
    let councils: Vec<(String,)> = sql::query_as(
        "SELECT council_id FROM audit_heads UNION SELECT council_id FROM audit_log ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let mut report = VerifyReport::default();
    for (council,) in councils {
        report.chains += 1;
        if let Some(breach) =
            verify_chain(store, &council, &mut report.entries, total, progress).await?
        {
            report.breaches.push(breach);
        }
    }
    Ok(report)
}

async fn verify_chain(
    store: &Store,
    council: &str,
    checked: &mut u64,
    total: u64,
    progress: &dyn Progress,
) -> Result<Option<Breach>, StoreError> {
    let pool = store.reader();
    let breach = |seq: i64, reason: String| {
        Ok(Some(Breach {
            council: council.to_owned(),
            seq,
            reason,
        }))
    };
    let mut expected_seq = 1_i64;
    let mut prev = GENESIS.to_owned();
    loop {
        let rows = sql::query(&format!(
            "{SELECT} WHERE council_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3"
        ))
        .bind(council)
        .bind(expected_seq)
        .bind(BATCH)
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let entry = StoredEntry::from_row(row)?;
            if entry.seq != expected_seq {
                return breach(
                    expected_seq,
                    format!("entry is missing (the next entry present is {})", entry.seq),
                );
            }
            if entry.prev_hash != prev {
                return breach(
                    entry.seq,
                    "its link to the previous entry does not match (an entry before it was removed or replaced)".into(),
                );
            }
            if chain_hash(&prev, &canonical(&entry)) != entry.hash {
                return breach(
                    entry.seq,
                    "its contents do not match its hash (the entry was edited)".into(),
                );
            }
            prev = entry.hash;
            expected_seq += 1;
        }
        *checked += rows.len() as u64;
        progress.step("audit entries", *checked, total);
    }
    let last = expected_seq - 1;
    let head: Option<(i64, String)> =
        sql::query_as("SELECT seq, hash FROM audit_heads WHERE council_id = $1")
            .bind(council)
            .fetch_optional(pool)
            .await?;
    match head {
        None if last > 0 => breach(1, "the chain head is missing".into()),
        Some((seq, _)) if seq > last => breach(
            last + 1,
            format!(
                "entries {} to {seq} are missing from the end of the log",
                last + 1
            ),
        ),
        Some((seq, hash)) if seq != last || hash != prev => {
            breach(last, "the chain head does not match the last entry".into())
        }
        _ => Ok(None),
    }
}
