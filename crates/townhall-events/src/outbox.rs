//! Writing events in the changing transaction, and reading them in order.

use std::collections::BTreeMap;

use townhall_store::{sql, Row, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp};

use crate::event::{NewEvent, Stored};

/// Records `events` inside `tx`, numbering each council's in the order
/// given, and returns their numbers in that order. Call it last in the
/// transaction (see the crate's documentation).
pub async fn record(tx: &mut Tx, events: &[NewEvent]) -> Result<Vec<i64>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut wanted: BTreeMap<CouncilId, i64> = BTreeMap::new();
    for e in events {
        *wanted.entry(e.council).or_default() += 1;
    }
    // Councils in one order everywhere, so two batches never wait on each
    // other's counters in a circle.
    let mut next: BTreeMap<CouncilId, i64> = BTreeMap::new();
    for (council, count) in wanted {
        let (last,): (i64,) = sql::query_as(
            "INSERT INTO event_counters (council_id, last) VALUES ($1, $2) \
             ON CONFLICT (council_id) DO UPDATE SET last = event_counters.last + $2 RETURNING last",
        )
        .bind(council.to_string())
        .bind(count)
        .fetch_one(&mut **tx)
        .await?;
        next.insert(council, last - count + 1);
    }
    let mut numbers = Vec::with_capacity(events.len());
    for e in events {
        let n = next.get_mut(&e.council).map_or(0, |n| {
            *n += 1;
            *n - 1
        });
        numbers.push(n);
    }
    for chunk in events
        .iter()
        .zip(&numbers)
        .collect::<Vec<_>>()
        .chunks(townhall_store::MAX_BATCH)
    {
        let text = format!(
            "INSERT INTO domain_events (council_id, seq, event_type, subject, occurred_at, data) VALUES {}",
            townhall_store::placeholders(chunk.len(), 6)
        );
        let mut insert = sql::query(&text);
        for (e, n) in chunk {
            insert = insert
                .bind(e.council.to_string())
                .bind(**n)
                .bind(e.cloud_type.as_str())
                .bind(e.subject.as_str())
                .bind(e.time.to_db())
                .bind(e.data.as_str());
        }
        insert.execute(&mut **tx).await?;
    }
    Ok(numbers)
}

/// Up to `limit` of `council`'s events numbered after `after`, in order.
pub async fn after(
    store: &Store,
    council: CouncilId,
    after: i64,
    limit: u32,
) -> Result<Vec<Stored>, StoreError> {
    read(store.reader(), council, after, limit).await
}

/// [`after`], read inside `tx`.
pub(crate) async fn after_in(
    tx: &mut Tx,
    council: CouncilId,
    after: i64,
    limit: u32,
) -> Result<Vec<Stored>, StoreError> {
    read(&mut **tx, council, after, limit).await
}

async fn read<'e>(
    from: impl sql::Executor<'e, Database = sql::Any>,
    council: CouncilId,
    after: i64,
    limit: u32,
) -> Result<Vec<Stored>, StoreError> {
    let rows = sql::query(
        "SELECT seq, event_type, subject, occurred_at, data FROM domain_events \
         WHERE council_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(council.to_string())
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(from)
    .await?;
    rows.iter().map(|r| stored(council, r)).collect()
}

/// The number of `council`'s latest event (0 before the first).
pub async fn latest(store: &Store, council: CouncilId) -> Result<i64, StoreError> {
    let last: Option<(i64,)> =
        sql::query_as("SELECT last FROM event_counters WHERE council_id = $1")
            .bind(council.to_string())
            .fetch_optional(store.reader())
            .await?;
    Ok(last.map_or(0, |(n,)| n))
}

fn stored(council: CouncilId, row: &Row) -> Result<Stored, StoreError> {
    use sql::Row as _;
    let time: String = row.try_get("occurred_at")?;
    let data: String = row.try_get("data")?;
    Ok(Stored {
        council,
        sequence: row.try_get("seq")?,
        cloud_type: row.try_get("event_type")?,
        subject: row.try_get("subject")?,
        time: Timestamp::parse(&time).map_err(|e| StoreError::decode(e.to_string()))?,
        data: serde_json::from_str(&data).map_err(|e| StoreError::decode(e.to_string()))?,
    })
}
