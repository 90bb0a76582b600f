//! The account commands that send email: signing up, confirming an address,
//! a forgotten password, a reset, and the notices of a lock or a passkey
//! added. Each gives the same outcome whether or not an address has an
//! account, so that nobody learns from it who has one; what differs goes to
//! the address's owner by email.
//!
//! An address is sent at most [`LINK_EMAILS_PER_HOUR`] emails carrying a
//! reset link on request, whoever asks, counted in the store (so a restart or
//! a second server does not reset the count): nobody can fill an inbox. A
//! lock notice also carries a link, outside that count so that the owner
//! always hears of a lock; locks (one per 15 minutes at most) bound those.

use time::Duration;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, EmailAddress, Timestamp, UserId};

use crate::accounts::{self, AccountError, NewAccount, User, UserKind};
use crate::devices;
use crate::mail::{email_link, send};
use crate::profiles::{self, ResidentProfile};
use crate::tokens::{self, TokenError, TokenPurpose};
use crate::{passkeys, sessions};

pub use crate::mail::{Mailer, RecoveryError};

/// Emails with a reset link one address may be sent in an hour.
pub const LINK_EMAILS_PER_HOUR: i64 = 3;

/// How many lock notices an account's owner is sent in a day at most.
pub const LOCK_NOTICES_PER_DAY: i64 = 4;

/// A resident signing up, with what they typed already checked. No
/// password yet: it is chosen with the link sent to the address, so only
/// whoever reads that mailbox can ever sign in to the account.
#[derive(Debug, Clone)]
pub struct NewResident<'a> {
    /// Their email address.
    pub email: &'a EmailAddress,
    /// First name.
    pub given_name: &'a str,
    /// Last name.
    pub family_name: &'a str,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

/// Signs a resident up: a new account, unconfirmed and without a password,
/// and a link to confirm the address and choose one. When the address
/// already has an account, nothing changes
/// and its owner is told instead (with a link to reset the password, within
/// the hourly limit); the caller cannot tell which happened.
pub async fn sign_up(
    store: &Store,
    mailer: &Mailer<'_>,
    new: &NewResident<'_>,
) -> Result<(), RecoveryError> {
    let display = format!("{} {}", new.given_name, new.family_name);
    let mut tx = store.begin().await?;
    let made = accounts::create(
        &mut tx,
        mailer.council,
        &NewAccount {
            kind: UserKind::Resident,
            email: new.email,
            display_name: &display,
            password_hash: None,
            verified: false,
        },
    )
    .await;
    let user = match made {
        Ok(user) => user,
        Err(AccountError::EmailTaken) => {
            drop(tx);
            return tell_owner(store, mailer, new.email, "account-exists").await;
        }
        Err(e) => return Err(e.into()),
    };
    profiles::save(
        &mut tx,
        mailer.council,
        user.id,
        &ResidentProfile {
            given_name: new.given_name.to_owned(),
            family_name: new.family_name.to_owned(),
            date_of_birth: new.date_of_birth.clone(),
            ..ResidentProfile::default()
        },
    )
    .await?;
    email_link(
        &mut tx,
        mailer,
        &user,
        TokenPurpose::VerifyEmail,
        "verify-email",
        &[],
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Finishes signing up with the link sent to the address: confirms it and
/// sets the password its reader chose; whose account it is.
pub async fn confirm_email(
    store: &Store,
    council: CouncilId,
    token: &str,
    password_hash: &str,
) -> Result<Result<UserId, TokenError>, RecoveryError> {
    let mut tx = store.begin().await?;
    let user = match tokens::redeem(&mut tx, council, token, TokenPurpose::VerifyEmail).await? {
        Ok(user) => user,
        Err(e) => return Ok(Err(e)),
    };
    // Once confirmed, an account's password changes only by a reset, which
    // ends its sessions; never by a sign-up link still lying in a mailbox.
    let confirmed = accounts::get(store, council, user)
        .await?
        .is_some_and(|u| u.email_verified_at.is_some());
    if confirmed {
        return Ok(Err(TokenError::Used));
    }
    accounts::set_password(&mut tx, council, user, password_hash).await?;
    accounts::mark_verified(&mut tx, council, user).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(user))
}

/// A forgotten password: a reset link to the resident account with this
/// address, if there is one and it is within the hourly limit.
pub async fn forgot_password(
    store: &Store,
    mailer: &Mailer<'_>,
    email: &EmailAddress,
) -> Result<(), RecoveryError> {
    tell_owner(store, mailer, email, "reset-password").await
}

/// Sends the sign-up link again to the resident account with `email`, if
/// it is still waiting for its address to be confirmed, within the hourly
/// limit. Nothing is sent for an address without an account or one already
/// confirmed (whose owner signs in, or resets their password); the caller
/// answers alike whichever it was, and the work takes as long.
pub async fn resend_confirmation(
    store: &Store,
    mailer: &Mailer<'_>,
    email: &EmailAddress,
) -> Result<(), RecoveryError> {
    let owner = accounts::find_by_email(store, mailer.council, UserKind::Resident, email)
        .await?
        .filter(|owner| owner.email_verified_at.is_none());
    send_link(
        store,
        mailer,
        email,
        owner.as_ref(),
        (TokenPurpose::VerifyEmail, "verify-email"),
    )
    .await
}

/// Emails the resident account with `email`, if any, a reset link with
/// `template`, within the hourly limit.
async fn tell_owner(
    store: &Store,
    mailer: &Mailer<'_>,
    email: &EmailAddress,
    template: &str,
) -> Result<(), RecoveryError> {
    let owner = accounts::find_by_email(store, mailer.council, UserKind::Resident, email).await?;
    send_link(
        store,
        mailer,
        email,
        owner.as_ref(),
        (TokenPurpose::ResetPassword, template),
    )
    .await
}

/// Emails `owner`, when there is one, a link for `purpose` with `template`,
/// unless `email` has had [`LINK_EMAILS_PER_HOUR`] already. The request is
/// counted against the address and committed whether or not anyone is
/// sent anything, so that an address without an account answers in the
/// same time as one with.
async fn send_link(
    store: &Store,
    mailer: &Mailer<'_>,
    email: &EmailAddress,
    owner: Option<&User>,
    (purpose, template): (TokenPurpose, &str),
) -> Result<(), RecoveryError> {
    let mut tx = store.begin().await?;
    // Holding the account's row serialises the count per address: requests
    // sent at once on PostgreSQL (where transactions run side by side) cannot
    // all find room for one more. SQLite has one writer anyway.
    sql::query("UPDATE users SET email = email WHERE council_id = $1 AND kind = $2 AND email = $3")
        .bind(mailer.council.to_string())
        .bind(UserKind::Resident.as_str())
        .bind(email.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let within = within_hourly_limit(&mut tx, mailer.council, email, Timestamp::now()).await?;
    if let Some(owner) = owner.filter(|_| within) {
        email_link(&mut tx, mailer, owner, purpose, template, &[]).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Tells the owner of an account that wrong passwords just locked it, until
/// `until`. A resident gets a link to reset the password, which also lifts
/// the lock; staff passwords, and partners' staff's, are never reset by email (an
/// administrator sets them), so they are told only. Outside the hourly limit on links, which
/// others could use up to keep the owner from hearing; a lock happens at most
/// once in its 15 minutes, and its owner hears of [`LOCK_NOTICES_PER_DAY`]
/// a day at most.
pub async fn tell_locked(
    store: &Store,
    mailer: &Mailer<'_>,
    owner: UserId,
    until: Timestamp,
) -> Result<(), RecoveryError> {
    let Some(user) = accounts::get(store, mailer.council, owner).await? else {
        return Ok(());
    };
    let until = until.human();
    let mut tx = store.begin().await?;
    let template = match user.kind {
        UserKind::Resident => "account-locked",
        UserKind::Staff => "staff-account-locked",
        // Partners' staff are given their passwords as council staff are.
        UserKind::PartnerStaff => "partner-account-locked",
    };
    // A lock can be made every quarter of an hour by anyone: its owner is
    // told of the first few in a day, not flooded with one after another.
    let day_ago = Timestamp::now().plus(-Duration::days(1));
    let told = townhall_notify::count_since(
        &mut tx,
        mailer.council,
        user.email.as_str(),
        template,
        day_ago,
    )
    .await?;
    if told >= LOCK_NOTICES_PER_DAY {
        return Ok(());
    }
    match user.kind {
        UserKind::Resident => {
            email_link(
                &mut tx,
                mailer,
                &user,
                TokenPurpose::ResetPassword,
                template,
                &[("until", &until)],
            )
            .await?;
        }
        UserKind::Staff | UserKind::PartnerStaff => {
            send(&mut tx, mailer, &user, template, &[("until", &until)]).await?;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// What a reset did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reset {
    /// Whose password it was.
    pub user: UserId,
    /// How many passkeys it removed.
    pub passkeys_removed: u64,
    /// Whether it confirmed the address, which had not been confirmed.
    pub confirmed_now: bool,
}

/// Why a reset link was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetError {
    /// The link is unknown, used, replaced or too old.
    #[error(transparent)]
    Link(#[from] TokenError),
    /// The link is for a staff account, whose password only an administrator sets.
    #[error("This link cannot be used. Ask your administrator to set a new password")]
    Staff,
}

/// Sets a new password with a reset link. Everywhere means every device:
/// the account's sessions end and its passkeys go too, since whoever had the
/// account may have added one. A reset also confirms the address (the link
/// went to it) and lifts a lock.
pub async fn reset_password(
    store: &Store,
    council: CouncilId,
    token: &str,
    password_hash: &str,
) -> Result<Result<Reset, ResetError>, RecoveryError> {
    let mut tx = store.begin().await?;
    let user = match tokens::redeem(&mut tx, council, token, TokenPurpose::ResetPassword).await? {
        Ok(user) => user,
        Err(e) => return Ok(Err(e.into())),
    };
    let Some(account) = accounts::get(store, council, user)
        .await?
        .filter(|u| u.kind == UserKind::Resident)
    else {
        return Ok(Err(ResetError::Staff));
    };
    accounts::set_password(&mut tx, council, user, password_hash).await?;
    accounts::mark_verified(&mut tx, council, user).await?;
    tokens::cancel_all(&mut tx, council, user, TokenPurpose::VerifyEmail).await?;
    sessions::end_all(&mut tx, council, user).await?;
    devices::forget_all(&mut tx, council, user).await?;
    let passkeys_removed = passkeys::remove_all(&mut tx, council, user).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(Reset {
        user,
        passkeys_removed,
        confirmed_now: account.email_verified_at.is_none(),
    }))
}

/// Whether one more email with a reset link may go to `email` now; counts
/// it if so. Counts older than an hour are forgotten as it goes.
async fn within_hourly_limit(
    tx: &mut Tx,
    council: CouncilId,
    email: &EmailAddress,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let hour_ago = now.plus(-Duration::hours(1)).to_db();
    sql::query("DELETE FROM link_emails WHERE council_id = $1 AND email = $2 AND sent_at < $3")
        .bind(council.to_string())
        .bind(email.as_str())
        .bind(&hour_ago)
        .execute(&mut **tx)
        .await?;
    let (sent,): (i64,) =
        sql::query_as("SELECT COUNT(*) FROM link_emails WHERE council_id = $1 AND email = $2")
            .bind(council.to_string())
            .bind(email.as_str())
            .fetch_one(&mut **tx)
            .await?;
    if sent >= LINK_EMAILS_PER_HOUR {
        return Ok(false);
    }
    sql::query("INSERT INTO link_emails (council_id, email, sent_at) VALUES ($1, $2, $3)")
        .bind(council.to_string())
        .bind(email.as_str())
        .bind(now.to_db())
        .execute(&mut **tx)
        .await?;
    Ok(true)
}
