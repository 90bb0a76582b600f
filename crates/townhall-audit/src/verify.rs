//! Proving the log intact.

use futures_util::StreamExt;
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

/// The errors of [`verify`]: it could not finish, so it says nothing either way.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The log could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A task checking part of a chain stopped before answering.
    #[error("a verification task stopped unexpectedly: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// How many consecutive entries one task reads and checks.
const RANGE: i64 = 20_000;

/// Recomputes every council's hash chain and checks it against the stored hashes
/// and the chain heads.
pub async fn verify(store: &Store, progress: &dyn Progress) -> Result<VerifyReport, VerifyError> {
    let pool = store.reader();
    let (total,): (i64,) = sql::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .map_err(StoreError::from)?;
    let total = u64::try_from(total).unwrap_or_default();
    let councils: Vec<(String,)> = sql::query_as(
        "SELECT council_id FROM audit_heads UNION SELECT council_id FROM audit_log ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)?;
    let mut report = VerifyReport::default();
    for (council,) in councils {
        report.chains += 1;
        if let Some(breach) =
            verify_chain(store, &council, RANGE, &mut report.entries, total, progress).await?
        {
            report.breaches.push(breach);
        }
    }
    Ok(report)
}

/// What one task found in entries `start..start + len` of a chain. Each entry's own hash
/// and its link to the entry before it inside the range are checked there; the
/// links between ranges are checked when the ranges are put back in order.
#[derive(Default)]
struct RangeCheck {
    /// The first entry present: its seq and the previous hash it claims.
    first: Option<(i64, String)>,
    /// The last good entry: its seq and hash.
    last: Option<(i64, String)>,
    /// Entries read.
    entries: u64,
    /// The first bad entry inside the range, and why.
    breach: Option<(i64, String)>,
}

async fn check_range(
    store: Store,
    council: String,
    start: i64,
    len: i64,
) -> Result<RangeCheck, StoreError> {
    let rows = sql::query(&format!(
        "{SELECT} WHERE council_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq"
    ))
    .bind(&council)
    .bind(start)
    .bind(start + len)
    .fetch_all(store.reader())
    .await?;
    let mut check = RangeCheck {
        entries: rows.len() as u64,
        ..RangeCheck::default()
    };
    for row in &rows {
        let entry = StoredEntry::from_row(row)?;
        match &check.last {
            None => check.first = Some((entry.seq, entry.prev_hash.clone())),
            Some((seq, _)) if entry.seq != seq + 1 => {
                check.breach = Some((seq + 1, missing(entry.seq)));
                break;
            }
            Some((_, hash)) if entry.prev_hash != *hash => {
                check.breach = Some((entry.seq, RELINKED.into()));
                break;
            }
            Some(_) => {}
        }
        if chain_hash(&entry.prev_hash, &canonical(&entry)) != entry.hash {
            check.breach = Some((entry.seq, EDITED.into()));
            break;
        }
        check.last = Some((entry.seq, entry.hash));
    }
    Ok(check)
}

const RELINKED: &str =
    "its link to the previous entry does not match (an entry before it was removed or replaced)";
const EDITED: &str = "its contents do not match its hash (the entry was edited)";

fn missing(next_present: i64) -> String {
    format!("entry is missing (the next entry present is {next_present})")
}

/// Checks one council's chain, its ranges read and hashed concurrently (one task
/// per core), then joined in order so the first bad entry is the one named.
async fn verify_chain(
    store: &Store,
    council: &str,
    range: i64,
    checked: &mut u64,
    total: u64,
    progress: &dyn Progress,
) -> Result<Option<Breach>, VerifyError> {
    let pool = store.reader();
    let breach = |seq: i64, reason: String| {
        Ok(Some(Breach {
            council: council.to_owned(),
            seq,
            reason,
        }))
    };
    let (max_seq,): (Option<i64>,) =
        sql::query_as("SELECT MAX(seq) FROM audit_log WHERE council_id = $1")
            .bind(council)
            .fetch_one(pool)
            .await
            .map_err(StoreError::from)?;
    let starts = (0..)
        .map(|k| 1 + k * range)
        .take_while(|start| *start <= max_seq.unwrap_or(0));
    let tasks = std::thread::available_parallelism().map_or(2, usize::from);
    let mut ranges =
        futures_util::stream::iter(starts.map(|start| {
            tokio::spawn(check_range(store.clone(), council.to_owned(), start, range))
        }))
        .buffered(tasks);
    let mut expected_seq = 1_i64;
    let mut prev = GENESIS.to_owned();
    while let Some(joined) = ranges.next().await {
        let range = joined??;
        if let Some((seq, claimed_prev)) = &range.first {
            if *seq != expected_seq {
                return breach(expected_seq, missing(*seq));
            }
            if *claimed_prev != prev {
                return breach(*seq, RELINKED.into());
            }
        }
        if let Some((seq, reason)) = range.breach {
            return breach(seq, reason);
        }
        if let Some((seq, hash)) = range.last {
            expected_seq = seq + 1;
            prev = hash;
        }
        *checked += range.entries;
        progress.step("audit entries", *checked, total);
    }
    let last = expected_seq - 1;
    let head: Option<(i64, String)> =
        sql::query_as("SELECT seq, hash FROM audit_heads WHERE council_id = $1")
            .bind(council)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::from)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{append, Action, Actor, AuditEvent, RecordRef};
    use townhall_types::CouncilId;

    /// A store holding one chain of `n` entries.
    async fn chain(n: usize) -> (tempfile::TempDir, Store, String) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).await.unwrap();
        store.migrate(crate::MIGRATIONS).await.unwrap();
        let council = CouncilId::new();
        let mut tx = store.begin().await.unwrap();
        for i in 0..n {
            let event = AuditEvent::new(
                council,
                (Actor::System("test".into()), "Test"),
                Action::Read,
                RecordRef::Case(townhall_types::CaseId::new()),
            )
            .fields([format!("field {i}")])
            .purpose("testing");
            append(&mut tx, &event).await.unwrap();
        }
        tx.commit().await.unwrap();
        (dir, store, council.to_string())
    }

    async fn first_breach(store: &Store, council: &str) -> Option<(i64, String)> {
        let mut checked = 0;
        verify_chain(store, council, 7, &mut checked, 0, &())
            .await
            .unwrap()
            .map(|b| (b.seq, b.reason))
    }

    async fn run(store: &Store, statement: &str) {
        sql::query(statement).execute(store.reader()).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn breaches_at_range_edges_are_named_in_chain_order() {
        let (_dir, store, council) = chain(40).await;
        let mut checked = 0;
        assert!(verify_chain(&store, &council, 7, &mut checked, 0, &())
            .await
            .unwrap()
            .is_none());
        assert_eq!(checked, 40);

        // Entry 8 opens the second range; 7 closes the first.
        run(&store, "DELETE FROM audit_log WHERE seq = 8").await;
        assert_eq!(first_breach(&store, &council).await, Some((8, missing(9))));
        // With entry 7 edited too, the earlier entry is the one named.
        run(
            &store,
            "UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 7",
        )
        .await;
        assert_eq!(
            first_breach(&store, &council).await,
            Some((7, EDITED.into()))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_whole_missing_range_and_a_relinked_range_start_are_named() {
        let (_dir, store, council) = chain(40).await;
        run(&store, "DELETE FROM audit_log WHERE seq >= 8 AND seq <= 14").await;
        assert_eq!(first_breach(&store, &council).await, Some((8, missing(15))));

        let (_dir, store, council) = chain(40).await;
        // Entry 15 starts the third range; point it at a made-up predecessor.
        run(
            &store,
            "UPDATE audit_log SET prev_hash = 'forged' WHERE seq = 15",
        )
        .await;
        assert_eq!(
            first_breach(&store, &council).await,
            Some((15, RELINKED.into()))
        );
    }
}
