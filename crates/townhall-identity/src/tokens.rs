//! Single-use tokens sent by email: confirming an address, resetting a password.

use time::Duration;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp, UserId};

use crate::{decode_err, random_token, token_hash};

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirming an email address (valid for 24 hours).
    VerifyEmail,
    /// Choosing a new password (valid for 1 hour).
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            TokenPurpose::VerifyEmail => Duration::hours(24),
            TokenPurpose::ResetPassword => Duration::hours(1),
        }
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Unknown, or for something else.
    #[error("This link is not valid. Check you copied the whole link from the email")]
    Unknown,
    /// Already used once.
    #[error("This link has already been used")]
    Used,
    /// Too old.
    #[error("This link has expired. Ask for a new one")]
    Expired,
    /// A newer link was sent, or another link for the same thing was used.
    #[error("This link has been replaced by a newer one. Use the link in the most recent email, or ask for a new one")]
    Replaced,
}

/// Issues a token for `user`; only its hash is stored. Returns the token to
/// send. Any earlier token of the user's for the same purpose stops working.
pub async fn issue(
    tx: &mut Tx,
    council: CouncilId,
    user: UserId,
    purpose: TokenPurpose,
) -> Result<String, StoreError> {
    replace_all(tx, council, user, purpose).await?;
    let token = random_token();
    sql::query(
        "INSERT INTO account_tokens (council_id, token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(council.to_string())
    .bind(token_hash(&token))
    .bind(user.to_string())
    .bind(purpose.as_str())
    .bind(Timestamp::now().plus(purpose.lifetime()).to_db())
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Uses a token: checks it and marks it used, in `tx`. Returns whose it was.
pub async fn redeem(
    tx: &mut Tx,
    council: CouncilId,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Result<UserId, TokenError>, StoreError> {
    let user = match check(tx, council, token, purpose).await? {
        Ok(user) => user,
        Err(e) => return Ok(Err(e)),
    };
    // Only if nobody used it meanwhile: two uses sent at once, one succeeds.
    let done = sql::query(
        "UPDATE account_tokens SET used_at = $3 WHERE council_id = $1 AND token_hash = $2 \
         AND used_at IS NULL AND replaced_at IS NULL",
    )
    .bind(council.to_string())
    .bind(token_hash(token))
    .bind(Timestamp::now().to_db())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(TokenError::Used));
    }
    // A link used cancels the others sent for the same thing.
    replace_all(tx, council, user, purpose).await?;
    Ok(Ok(user))
}

/// Whether a token is valid right now, without using it (to show the form it leads to).
pub async fn peek(
    store: &Store,
    council: CouncilId,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Result<(), TokenError>, StoreError> {
    let mut tx = store.begin().await?;
    Ok(check(&mut tx, council, token, purpose).await?.map(|_| ()))
}

/// Whose the token is, if it can be used now.
async fn check(
    tx: &mut Tx,
    council: CouncilId,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Result<UserId, TokenError>, StoreError> {
    let row: Option<(String, String, Option<String>, Option<String>)> = sql::query_as(
        "SELECT user_id, expires_at, used_at, replaced_at FROM account_tokens \
         WHERE council_id = $1 AND token_hash = $2 AND purpose = $3",
    )
    .bind(council.to_string())
    .bind(token_hash(token))
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((user, expires, used, replaced)) = row else {
        return Ok(Err(TokenError::Unknown));
    };
    if used.is_some() {
        return Ok(Err(TokenError::Used));
    }
    if replaced.is_some() {
        return Ok(Err(TokenError::Replaced));
    }
    if Timestamp::parse(&expires).map_err(|e| decode_err(e.to_string()))? < Timestamp::now() {
        return Ok(Err(TokenError::Expired));
    }
    Ok(Ok(user.parse().map_err(|_| decode_err("bad user id"))?))
}

/// Makes every unused token of the user's for `purpose` stop working.
/// Stops every unused link of `user`'s for `purpose` (a reset stops the
/// sign-up link, which would otherwise set the password again).
pub async fn cancel_all(
    tx: &mut Tx,
    council: CouncilId,
    user: UserId,
    purpose: TokenPurpose,
) -> Result<(), StoreError> {
    replace_all(tx, council, user, purpose).await
}

async fn replace_all(
    tx: &mut Tx,
    council: CouncilId,
    user: UserId,
    purpose: TokenPurpose,
) -> Result<(), StoreError> {
    sql::query(
        "UPDATE account_tokens SET replaced_at = $4 WHERE council_id = $1 AND user_id = $2 \
         AND purpose = $3 AND used_at IS NULL AND replaced_at IS NULL",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .bind(purpose.as_str())
    .bind(Timestamp::now().to_db())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
