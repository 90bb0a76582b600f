//! Sessions held in the store. The cookie carries a random token; the store
//! keeps only its hash.

use time::Duration;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp, UserId};

use crate::accounts::{self, User, UserKind};
use crate::{random_token, token_hash};

/// How long a session lasts for each kind of account.
pub fn lifetime(kind: UserKind) -> Duration {
    match kind {
        UserKind::Resident => Duration::days(7),
        UserKind::Staff | UserKind::PartnerStaff => Duration::hours(10),
    }
}

/// Starts a session; returns the token for the cookie.
pub async fn start(store: &Store, user: &User) -> Result<String, StoreError> {
    let token = random_token();
    let now = Timestamp::now();
    let mut tx = store.begin().await?;
    sql::query(
        "INSERT INTO sessions (council_id, token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.council.to_string())
    .bind(token_hash(&token))
    .bind(user.id.to_string())
    .bind(now.to_db())
    .bind(now.plus(lifetime(user.kind)).to_db())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The signed-in user for a session token, if the session is current.
pub async fn resolve(
    store: &Store,
    council: CouncilId,
    token: &str,
) -> Result<Option<User>, StoreError> {
    let row: Option<(String,)> = sql::query_as(
        "SELECT user_id FROM sessions WHERE council_id = $1 AND token_hash = $2 AND expires_at > $3",
    )
    .bind(council.to_string())
    .bind(token_hash(token))
    .bind(Timestamp::now().to_db())
    .fetch_optional(store.reader())
    .await?;
    match row {
        Some((id,)) => match id.parse::<UserId>() {
            Ok(id) => accounts::get(store, council, id).await,
            Err(_) => Ok(None),
        },
        None => Ok(None),
    }
}

/// Ends one session.
pub async fn end(store: &Store, council: CouncilId, token: &str) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sql::query("DELETE FROM sessions WHERE council_id = $1 AND token_hash = $2")
        .bind(council.to_string())
        .bind(token_hash(token))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a user (after a password reset).
pub async fn end_all(tx: &mut Tx, council: CouncilId, user: UserId) -> Result<(), StoreError> {
    sql::query("DELETE FROM sessions WHERE council_id = $1 AND user_id = $2")
        .bind(council.to_string())
        .bind(user.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
