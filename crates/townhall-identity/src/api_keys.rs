//! API keys for machine clients (e.g. Open311). The key is shown once; only its hash is kept.

use std::num::NonZeroU32;

use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{ApiKeyId, ApiScope, CouncilId, Timestamp};

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
    pub scope: ApiScope,
    /// How many requests a minute it may make.
    pub requests_per_minute: NonZeroU32,
}

/// The requests a minute a key may make unless it is given its own limit:
/// ten a second, far above what one app's users send, low enough that one
/// misbehaving client cannot crowd out the rest.
pub const DEFAULT_REQUESTS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(600).unwrap();

/// Issues a key named `name` for `scope`, allowed `requests_per_minute`;
/// returns the secret, to be shown once.
pub async fn create(
    tx: &mut Tx,
    council: CouncilId,
    name: &str,
    scope: &ApiScope,
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
    .bind(scope.to_string())
    .bind(i64::from(requests_per_minute.get()))
    .execute(&mut **tx)
    .await?;
    Ok(secret)
}

/// The client a key belongs to, if the key is current.
pub async fn authenticate(store: &Store, secret: &str) -> Result<Option<ApiClient>, StoreError> {
    let row: Option<(String, String, String, String, i64)> = sql::query_as(
        "SELECT council_id, key_id, name, scope, requests_per_minute FROM api_keys \
         WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash(secret))
    .fetch_optional(store.reader())
    .await?;
    Ok(row.and_then(|(council, key_id, name, scope, limit)| {
        Some(ApiClient {
            council: council.parse().ok()?,
            key_id,
            name,
            scope: ApiScope::parse(&scope)?,
            requests_per_minute: u32::try_from(limit).ok().and_then(NonZeroU32::new)?,
        })
    }))
}
