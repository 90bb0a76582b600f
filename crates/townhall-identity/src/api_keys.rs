//! API keys for machine clients (e.g. Open311). The key is shown once; only its hash is kept.

use std::num::NonZeroU32;

use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{ApiKeyId, ApiScopes, CouncilId, Timestamp};

use crate::{random_token, token_hash};

/// A client holding a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    /// The council the key belongs to.
    pub council: CouncilId,
    /// The key's id (not the secret).
    pub key_id: String,
    /// Who it was issued to.
    pub name: String,
    /// What it may be used for.
    pub scopes: ApiScopes,
    /// How many requests a minute it may make.
    pub requests_per_minute: NonZeroU32,
}

/// The requests a minute a key may make unless it is given its own limit:
/// ten a second, far above what one app's users send, low enough that one
/// misbehaving client cannot crowd out the rest.
pub const DEFAULT_REQUESTS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(600).unwrap();

/// Issues a key named `name` for `scopes`, allowed `requests_per_minute`;
/// returns the secret, to be shown once.
pub async fn create(
    tx: &mut Tx,
    council: CouncilId,
    name: &str,
    scopes: &ApiScopes,
    requests_per_minute: NonZeroU32,
) -> Result<String, StoreError> {
    let secret = format!("th_{}", random_token());
    sql::query(
        "INSERT INTO api_keys (council_id, key_id, name, key_hash, created_at, scope, requests_per_minute) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(council.to_string())
    .bind(ApiKeyId::new().to_string())
    .bind(name)
    .bind(token_hash(&secret))
    .bind(Timestamp::now().to_db())
    .bind(scopes.to_string())
    .bind(i64::from(requests_per_minute.get()))
    .execute(&mut **tx)
    .await?;
    Ok(secret)
}

/// The client `council`'s key `secret` belongs to, if the key is current.
/// Another council's key is no key here.
pub async fn authenticate(
    store: &Store,
    council: CouncilId,
    secret: &str,
) -> Result<Option<ApiClient>, StoreError> {
    let row: Option<(String, String, String, i64)> = sql::query_as(
        "SELECT key_id, name, scope, requests_per_minute FROM api_keys \
         WHERE council_id = $1 AND key_hash = $2 AND revoked_at IS NULL",
    )
    .bind(council.to_string())
    .bind(token_hash(secret))
    .fetch_optional(store.reader())
    .await?;
    Ok(row.and_then(|(key_id, name, scopes, limit)| {
        let scopes = ApiScopes::parse(&scopes)
            .map_err(|e| {
                tracing::warn!(key = %key_id, error = %e, "an API key's stored scopes cannot be read; it opens nothing");
            })
            .ok()?;
        Some(ApiClient {
            council,
            key_id,
            name,
            scopes,
            requests_per_minute: u32::try_from(limit).ok().and_then(NonZeroU32::new)?,
        })
    }))
}

/// A key as operators see it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// Its id, to name it in other commands.
    pub key_id: String,
    /// Who it was issued to.
    pub name: String,
    /// What it may be used for: its scopes, space-separated.
    pub scope: String,
    /// How many requests a minute it may make.
    pub requests_per_minute: i64,
    /// When it was issued.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// The council's keys, oldest first.
pub async fn list(store: &Store, council: CouncilId) -> Result<Vec<IssuedKey>, StoreError> {
    let rows: Vec<(String, String, String, i64, String, Option<String>)> = sql::query_as(
        "SELECT key_id, name, scope, requests_per_minute, created_at, revoked_at FROM api_keys \
         WHERE council_id = $1 ORDER BY created_at, key_id",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(key_id, name, scope, requests_per_minute, created_at, revoked_at)| IssuedKey {
                key_id,
                name,
                scope,
                requests_per_minute,
                created_at,
                revoked_at,
            },
        )
        .collect())
}

/// Changes how many requests a minute the key `key_id` may make; false when
/// the council has no such key. Servers apply it from the key's next request.
pub async fn set_limit(
    tx: &mut Tx,
    council: CouncilId,
    key_id: &str,
    requests_per_minute: NonZeroU32,
) -> Result<bool, StoreError> {
    let done = sql::query(
        "UPDATE api_keys SET requests_per_minute = $3 WHERE council_id = $1 AND key_id = $2",
    )
    .bind(council.to_string())
    .bind(key_id)
    .bind(i64::from(requests_per_minute.get()))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes the key `key_id` at `at`: it stops working on its next request.
/// False when the council has no such key still in use.
pub async fn revoke(
    tx: &mut Tx,
    council: CouncilId,
    key_id: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let done = sql::query(
        "UPDATE api_keys SET revoked_at = $3 WHERE council_id = $1 AND key_id = $2 AND revoked_at IS NULL",
    )
    .bind(council.to_string())
    .bind(key_id)
    .bind(at.to_db())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
