//! Retries that make no second case. A client that sends a request with an
//! `Idempotency-Key` (the IETF HTTPAPI draft's header) and sends it again,
//! because it never saw the answer, gets the case the first one made, for
//! [`REMEMBERED_FOR_MINUTES`]. The key is the client's own: two clients may
//! use the same key for different requests.

use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CaseId, CouncilId, Timestamp};

/// How long a key is remembered.
pub const REMEMBERED_FOR_MINUTES: i64 = 10;

/// The longest key accepted, in characters.
pub const KEY_MAX_CHARS: usize = 255;

/// A request made earlier with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    /// What made it the request it was (compare with the retry's).
    pub fingerprint: String,
    /// The case it made.
    pub case: CaseId,
    /// Its reference.
    pub reference: String,
}

/// The request `client` made with `key` in the last
/// [`REMEMBERED_FOR_MINUTES`] before `now`, if any.
pub async fn recall(
    store: &Store,
    council: CouncilId,
    client: &str,
    key: &str,
    now: Timestamp,
) -> Result<Option<Earlier>, StoreError> {
    let row: Option<(String, String, String)> = sql::query_as(
        "SELECT fingerprint, case_id, reference FROM idempotency_keys \
         WHERE council_id = $1 AND client = $2 AND idempotency_key = $3 AND created_at >= $4",
    )
    .bind(council.to_string())
    .bind(client)
    .bind(key)
    .bind(cutoff(now).to_db())
    .fetch_optional(store.reader())
    .await?;
    row.map(|(fingerprint, case, reference)| {
        Ok(Earlier {
            fingerprint,
            case: case
                .parse()
                .map_err(|_| StoreError::decode("bad case id"))?,
            reference,
        })
    })
    .transpose()
}

/// Records, in the transaction that made `case`, that `client` made it with
/// `key`; false when another request with the same key got there first (the
/// caller then rolls back and answers with that one). Keys older than
/// [`REMEMBERED_FOR_MINUTES`] are forgotten.
pub async fn remember(
    tx: &mut Tx,
    council: CouncilId,
    client: &str,
    key: &str,
    fingerprint: &str,
    (case, reference): (CaseId, &str),
    now: Timestamp,
) -> Result<bool, StoreError> {
    let cutoff = cutoff(now).to_db();
    sql::query(
        "DELETE FROM idempotency_keys WHERE council_id = $1 AND client = $2 AND created_at < $3",
    )
    .bind(council.to_string())
    .bind(client)
    .bind(&cutoff)
    .execute(&mut **tx)
    .await?;
    let done = sql::query(
        "INSERT INTO idempotency_keys (council_id, client, idempotency_key, fingerprint, case_id, reference, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (council_id, client, idempotency_key) DO NOTHING",
    )
    .bind(council.to_string())
    .bind(client)
    .bind(key)
    .bind(fingerprint)
    .bind(case.to_string())
    .bind(reference)
    .bind(now.to_db())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn cutoff(now: Timestamp) -> Timestamp {
    now.plus(time::Duration::minutes(-REMEMBERED_FOR_MINUTES))
}
