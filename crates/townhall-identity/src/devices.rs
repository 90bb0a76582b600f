//! Browsers known to have signed in to an account (OWASP's "device
//! cookies", against lockouts turned against people). A browser that signs
//! in is given a random secret for a cookie; the store keeps its hash. When
//! it signs in again, a lock on the account made by others' wrong passwords
//! does not stop it, and its own wrong passwords are counted apart: after
//! [`MAX_FAILED_ATTEMPTS`] it is locked for [`LOCKOUT`] and treated as any
//! other browser. A password reset forgets all of an account's devices, so
//! a cookie kept by someone who knew the old password keeps nothing.

use time::Duration;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp, UserId};

use crate::lockout::{LOCKOUT, MAX_FAILED_ATTEMPTS};
use crate::{random_token, token_hash};

/// How long a browser stays known: a year, as its cookie lasts.
pub const LIFETIME: Duration = Duration::days(365);

/// The most browsers one account keeps known; the oldest go first.
const MOST_PER_ACCOUNT: i64 = 20;

/// A browser known to have signed in to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    /// Its id: the hash of its cookie's secret, which names it for limits.
    pub id: String,
    /// The account it signed in to.
    pub user: UserId,
}

/// Remembers the browser `user` of `council` has just signed in on; the
/// secret for its cookie.
pub async fn remember(
    store: &Store,
    council: CouncilId,
    user: UserId,
) -> Result<String, StoreError> {
    let secret = random_token();
    let now = Timestamp::now();
    let mut tx = store.begin().await?;
    sql::query(
        "INSERT INTO known_devices (council_id, device_id, user_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(council.to_string())
    .bind(token_hash(&secret))
    .bind(user.to_string())
    .bind(now.to_db())
    .execute(&mut *tx)
    .await?;
    // Old browsers, and those beyond the most an account keeps, go.
    sql::query(
        "DELETE FROM known_devices WHERE council_id = $1 AND user_id = $2 AND (created_at < $3 \
         OR device_id NOT IN (SELECT device_id FROM known_devices WHERE council_id = $1 \
         AND user_id = $2 ORDER BY created_at DESC, device_id LIMIT $4))",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .bind(now.plus(-LIFETIME).to_db())
    .bind(MOST_PER_ACCOUNT)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// The browser whose cookie holds `secret`, if it is known, younger than
/// [`LIFETIME`] and not locked by its own wrong passwords.
pub async fn recognise(
    store: &Store,
    council: CouncilId,
    secret: &str,
) -> Result<Option<KnownDevice>, StoreError> {
    let now = Timestamp::now();
    let row: Option<(String, String)> = sql::query_as(
        "SELECT device_id, user_id FROM known_devices WHERE council_id = $1 AND device_id = $2 \
         AND created_at >= $3 AND (locked_until IS NULL OR locked_until <= $4)",
    )
    .bind(council.to_string())
    .bind(token_hash(secret))
    .bind(now.plus(-LIFETIME).to_db())
    .bind(now.to_db())
    .fetch_optional(store.reader())
    .await?;
    Ok(row.and_then(|(id, user)| {
        Some(KnownDevice {
            id,
            user: user.parse().ok()?,
        })
    }))
}

/// Counts a sign-in attempt by `device`, before its password is checked:
/// false when it has had its tries (it is then locked, and signs in as any
/// other browser would until the lock ends).
pub(crate) async fn attempt(
    store: &Store,
    council: CouncilId,
    device: &KnownDevice,
) -> Result<bool, StoreError> {
    let now = Timestamp::now();
    let mut tx = store.begin().await?;
    let (attempts,): (i64,) = sql::query_as(
        "UPDATE known_devices SET failed_attempts = failed_attempts + 1 \
         WHERE council_id = $1 AND device_id = $2 RETURNING failed_attempts",
    )
    .bind(council.to_string())
    .bind(&device.id)
    .fetch_one(&mut *tx)
    .await?;
    let trusted = attempts <= MAX_FAILED_ATTEMPTS;
    if !trusted {
        sql::query(
            "UPDATE known_devices SET failed_attempts = 0, locked_until = $3 \
             WHERE council_id = $1 AND device_id = $2",
        )
        .bind(council.to_string())
        .bind(&device.id)
        .bind(now.plus(LOCKOUT).to_db())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(trusted)
}

/// Forgets `device`'s wrong passwords: it has just signed in.
pub(crate) async fn succeeded(
    store: &Store,
    council: CouncilId,
    device: &KnownDevice,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sql::query(
        "UPDATE known_devices SET failed_attempts = 0 WHERE council_id = $1 AND device_id = $2",
    )
    .bind(council.to_string())
    .bind(&device.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets every browser `user` signed in on (a password reset, or an
/// administrator setting a new password).
pub async fn forget_all(tx: &mut Tx, council: CouncilId, user: UserId) -> Result<(), StoreError> {
    sql::query("DELETE FROM known_devices WHERE council_id = $1 AND user_id = $2")
        .bind(council.to_string())
        .bind(user.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
