//! The hub's own signing key: it signs the hub's responses and the
//! webhooks it sends, and partners verify them with its public half, which
//! the hub publishes. Made the first time a council's site starts.

use base64::Engine;
use serde::Serialize;
use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, Timestamp};

use crate::signature::{SigningError, SigningKey};

/// The council's hub key, in its settings.
#[derive(Debug)]
pub struct HubKey {
    /// The council whose key it is.
    pub council: CouncilId,
    /// The key that signs.
    pub signing: SigningKey,
    /// Its public half, as partners are given it.
    pub published: PublishedKey,
}

/// A public key as the hub publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedKey {
    /// The `keyid` its signatures carry.
    pub key_id: String,
    /// Always `ed25519`.
    pub alg: &'static str,
    /// The 32-byte Ed25519 public key, in base64.
    pub public_key: String,
    /// Since when it signs.
    pub since: Timestamp,
}

/// Why the hub key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum HubKeyError {
    /// The stored key cannot be read: the store was changed by hand.
    #[error("the hub key '{0}' cannot be read from the store")]
    Unreadable(String),
    /// The key could not be made.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The council's current hub key, made now if it has none.
pub async fn current(store: &Store, council: CouncilId) -> Result<HubKey, HubKeyError> {
    let row: Option<(String, String, String)> = sql::query_as(
        "SELECT key_id, seed, created_at FROM hub_keys \
         WHERE council_id = $1 AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(council.to_string())
    .fetch_optional(store.reader())
    .await
    .map_err(StoreError::from)?;
    let (signing, since) = match row {
        Some((key_id, seed, created)) => {
            let unreadable = || HubKeyError::Unreadable(key_id.clone());
            let seed: [u8; 32] = base64::engine::general_purpose::STANDARD
                .decode(&seed)
                .ok()
                .and_then(|s| s.try_into().ok())
                .ok_or_else(unreadable)?;
            let since = Timestamp::parse(&created).map_err(|_| unreadable())?;
            (SigningKey::from_seed(&key_id, &seed)?, since)
        }
        None => {
            let now = Timestamp::now();
            let suffix: u16 = rand::random();
            let key_id = format!("hub-{}-{suffix:04x}", now.datetime().date());
            let (signing, seed) = SigningKey::generate(&key_id)?;
            let mut tx = store.begin().await?;
            sql::query(
                "INSERT INTO hub_keys (council_id, key_id, seed, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(council.to_string())
            .bind(&key_id)
            .bind(base64::engine::general_purpose::STANDARD.encode(seed))
            .bind(now.to_db())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            tx.commit().await.map_err(StoreError::from)?;
            (signing, now)
        }
    };
    let published = PublishedKey {
        key_id: signing.key_id.clone(),
        alg: "ed25519",
        public_key: base64::engine::general_purpose::STANDARD.encode(signing.public_key()),
        since,
    };
    Ok(HubKey {
        council,
        signing,
        published,
    })
}

/// Whether `public` is the public half of one of the council's hub keys.
pub async fn is_hubs(
    store: &Store,
    council: CouncilId,
    public: &[u8; 32],
) -> Result<bool, StoreError> {
    let seeds: Vec<(String, String)> =
        sql::query_as("SELECT key_id, seed FROM hub_keys WHERE council_id = $1")
            .bind(council.to_string())
            .fetch_all(store.reader())
            .await?;
    Ok(seeds.iter().any(|(key_id, seed)| {
        base64::engine::general_purpose::STANDARD
            .decode(seed)
            .ok()
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .and_then(|s| SigningKey::from_seed(key_id, &s).ok())
            .is_some_and(|k| &k.public_key() == public)
    }))
}
