//! Subscribers: whatever acts on events (the case messages, a message
//! broker, and later triggers, alerts, dashboards and webhooks), each
//! reading every council's events in order from its own checkpoint.
//!
//! A subscriber acts on a batch inside the transaction that moves its
//! checkpoint on, and that transaction first locks the checkpoint's row: two
//! processes never deliver the same council's events to the same subscriber
//! at once, and what a subscriber writes to the store is written exactly
//! once. What it sends outside (a broker, a webhook) is sent at least once:
//! when the transaction fails after sending, the batch is given again.

use std::future::Future;
use std::time::Duration;

use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp};

use crate::event::Stored;

/// Something that acts on events.
pub trait Subscriber: Sync {
    /// Its name, unique on the platform: its checkpoints are kept under it.
    const NAME: &'static str;

    /// Whether it acts on `council`'s events (a process may serve some
    /// councils only); the others' events wait for a process that does.
    fn wants(&self, council: CouncilId) -> bool {
        let _ = council;
        true
    }

    /// Acts on `events`: all of one council, in order, with no number
    /// missing, inside `tx`, which then moves the checkpoint past them. On
    /// an error nothing `tx` wrote is kept and the same events come again.
    fn handle(
        &self,
        tx: &mut Tx,
        events: &[Stored],
    ) -> impl Future<Output = Result<(), SubscriberError>> + Send;
}

/// Why a subscriber could not act on its events; they are given to it again.
#[derive(Debug, thiserror::Error)]
pub enum SubscriberError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The subscriber's own work failed (a broker that did not answer, an
    /// event it could not read).
    #[error("{0}")]
    Failed(String),
}

/// How far behind one subscriber is with one council's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    /// The subscriber.
    pub subscriber: String,
    /// The council.
    pub council: CouncilId,
    /// How many of the council's events it has yet to act on.
    pub behind: i64,
}

/// How far behind every subscriber is with every council's events it has
/// begun to read: what monitoring watches.
pub async fn backlog(store: &Store) -> Result<Vec<Backlog>, StoreError> {
    let rows: Vec<(String, String, i64)> = sql::query_as(
        "SELECT k.subscriber, k.council_id, c.last - k.position FROM event_checkpoints k \
         JOIN event_counters c ON c.council_id = k.council_id ORDER BY k.subscriber, k.council_id",
    )
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(subscriber, council, behind)| {
            Ok(Backlog {
                subscriber,
                council: council
                    .parse()
                    .map_err(|_| StoreError::decode(format!("'{council}' is not a council id")))?,
                behind,
            })
        })
        .collect()
}

/// How far `subscriber` has read `council`'s events (0 before the first).
pub async fn checkpoint(
    store: &Store,
    subscriber: &str,
    council: CouncilId,
) -> Result<i64, StoreError> {
    let position: Option<(i64,)> = sql::query_as(
        "SELECT position FROM event_checkpoints WHERE subscriber = $1 AND council_id = $2",
    )
    .bind(subscriber)
    .bind(council.to_string())
    .fetch_optional(store.reader())
    .await?;
    Ok(position.map_or(0, |(p,)| p))
}

/// Gives `subscriber` the events it has not yet acted on, up to `batch` of
/// a council's at a time, until it has them all; returns how many it acted
/// on. A batch that fails is given again next time; the councils after it
/// are still served (one council's failure stops only its own events), and
/// the first failure is returned once every council has been tried.
pub async fn deliver<S: Subscriber>(
    store: &Store,
    subscriber: &S,
    batch: u32,
) -> Result<usize, SubscriberError> {
    let behind: Vec<(String,)> = sql::query_as(
        "SELECT c.council_id FROM event_counters c \
         LEFT JOIN event_checkpoints k ON k.subscriber = $1 AND k.council_id = c.council_id \
         WHERE c.last > COALESCE(k.position, 0) ORDER BY c.council_id",
    )
    .bind(S::NAME)
    .fetch_all(store.reader())
    .await
    .map_err(StoreError::from)?;
    let mut given = 0;
    let mut failed = None;
    for (council,) in behind {
        let council: CouncilId = council
            .parse()
            .map_err(|_| StoreError::decode(format!("'{council}' is not a council id")))?;
        if !subscriber.wants(council) {
            continue;
        }
        match deliver_council(store, subscriber, council, batch, &mut given).await {
            Ok(()) => {}
            Err(e) => {
                tracing::warn!(subscriber = S::NAME, %council, error = %e, "events not delivered; trying again later");
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(given),
    }
}

/// Gives `subscriber` `council`'s events, a batch at a time, counting them
/// in `given`.
async fn deliver_council<S: Subscriber>(
    store: &Store,
    subscriber: &S,
    council: CouncilId,
    batch: u32,
    given: &mut usize,
) -> Result<(), SubscriberError> {
    loop {
        let mut tx = store.begin().await?;
        let position = claim(&mut tx, S::NAME, council).await?;
        let events = crate::outbox::after_in(&mut tx, council, position, batch).await?;
        let Some(last) = events.last().map(|e| e.sequence) else {
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(());
        };
        subscriber.handle(&mut tx, &events).await?;
        sql::query(
            "UPDATE event_checkpoints SET position = $3 WHERE subscriber = $1 AND council_id = $2",
        )
        .bind(S::NAME)
        .bind(council.to_string())
        .bind(last)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        *given += events.len();
    }
}

/// Locks `subscriber`'s checkpoint for `council` until `tx` ends (making
/// it at 0 the first time) and reads it.
async fn claim(tx: &mut Tx, subscriber: &str, council: CouncilId) -> Result<i64, StoreError> {
    let now = Timestamp::now().to_db();
    sql::query(
        "INSERT INTO event_checkpoints (subscriber, council_id, position, updated_at) \
         VALUES ($1, $2, 0, $3) ON CONFLICT (subscriber, council_id) DO NOTHING",
    )
    .bind(subscriber)
    .bind(council.to_string())
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    let (position,): (i64,) = sql::query_as(
        "UPDATE event_checkpoints SET updated_at = $3 WHERE subscriber = $1 AND council_id = $2 \
         RETURNING position",
    )
    .bind(subscriber)
    .bind(council.to_string())
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(position)
}

/// How long an idle subscriber waits before looking for new events again:
/// events committed meanwhile wait at most this long.
pub const IDLE: Duration = Duration::from_millis(50);

/// Delivers to `subscriber` for as long as the process runs, looking for
/// new events every `idle` when it has caught up. Failures are logged and
/// tried again.
pub async fn run<S: Subscriber>(store: Store, subscriber: S, idle: Duration) {
    loop {
        match deliver(&store, &subscriber, 200).await {
            Ok(0) => tokio::time::sleep(idle).await,
            Ok(_) => {}
            // Logged where it failed, with its council.
            Err(_) => tokio::time::sleep(idle.max(Duration::from_secs(1))).await,
        }
    }
}
