//! Accounts: creating them, signing in with a password, lock-out.

use townhall_store::{is_unique_violation, sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, EmailAddress, Timestamp, UserId};

use crate::devices::{self, KnownDevice};
use crate::lockout::{LOCKOUT, MAX_FAILED_ATTEMPTS};
use crate::{decode_err, password};

/// The kind of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserKind {
    /// A member of the public.
    Resident,
    /// Council staff.
    Staff,
    /// A partner organisation's staff, using the data-exchange hub's pages.
    PartnerStaff,
}

impl UserKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Resident => "resident",
            UserKind::Staff => "staff",
            UserKind::PartnerStaff => "partner_staff",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "resident" => Ok(UserKind::Resident),
            "staff" => Ok(UserKind::Staff),
            "partner_staff" => Ok(UserKind::PartnerStaff),
            other => Err(decode_err(format!("unknown account kind '{other}'"))),
        }
    }
}

/// A sign-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The council it belongs to.
    pub council: CouncilId,
    /// Its id.
    pub id: UserId,
    /// Resident or staff.
    pub kind: UserKind,
    /// Where we write to them.
    pub email: EmailAddress,
    /// How pages greet them.
    pub display_name: String,
    /// When they proved the email address is theirs.
    pub email_verified_at: Option<Timestamp>,
}

/// Why an account could not be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Someone already has an account with this email address.
    #[error("An account already exists for this email address. Sign in, or reset your password if you have forgotten it")]
    EmailTaken,
    /// The password breaks a rule.
    #[error(transparent)]
    Password(#[from] password::PasswordRuleError),
    /// No such account.
    #[error("There is no such account")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a sign-in failed. The messages never say whether the account exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    /// Wrong email or password.
    #[error("The email address or password is not right. Check them and try again")]
    BadCredentials,
    /// Too many wrong attempts for this email address, whether or not an
    /// account has it.
    #[error("You have entered the wrong password too many times. Try again after {}, or reset your password", until.human())]
    Locked {
        /// When the lock ends.
        until: Timestamp,
        /// The account this attempt locked, whose owner should be told; none
        /// while it stays locked, or when no account has the address.
        newly_locked: Option<UserId>,
    },
}

pub(crate) const USER_COLUMNS: &str =
    "u.council_id, u.user_id, u.kind, u.email, u.display_name, u.email_verified_at";

type UserRow = (String, String, String, String, String, Option<String>);

pub(crate) fn user_from_row(r: UserRow) -> Result<User, StoreError> {
    Ok(User {
        council: r.0.parse().map_err(|_| decode_err("bad council id"))?,
        id: r.1.parse().map_err(|_| decode_err("bad user id"))?,
        kind: UserKind::parse(&r.2)?,
        email: EmailAddress::parse(&r.3).map_err(|e| decode_err(e.to_string()))?,
        display_name: r.4,
        email_verified_at: r
            .5
            .map(|t| Timestamp::parse(&t))
            .transpose()
            .map_err(|e| decode_err(e.to_string()))?,
    })
}

/// What is needed to open an account.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// Resident or staff.
    pub kind: UserKind,
    /// Their email address.
    pub email: &'a EmailAddress,
    /// How pages greet them.
    pub display_name: &'a str,
    /// An argon2id hash from [`password::hash`], or none for passkey-only accounts.
    pub password_hash: Option<&'a str>,
    /// Whether the address is already known to be theirs (e.g. created by an administrator).
    pub verified: bool,
}

/// Opens an account.
pub async fn create(
    tx: &mut Tx,
    council: CouncilId,
    new: &NewAccount<'_>,
) -> Result<User, AccountError> {
    let now = Timestamp::now();
    let user = User {
        council,
        id: UserId::new(),
        kind: new.kind,
        email: new.email.clone(),
        display_name: new.display_name.to_owned(),
        email_verified_at: new.verified.then_some(now),
    };
    let result = sql::query(
        "INSERT INTO users (council_id, user_id, kind, email, display_name, password_hash, \
         email_verified_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(council.to_string())
    .bind(user.id.to_string())
    .bind(user.kind.as_str())
    .bind(user.email.as_str())
    .bind(&user.display_name)
    .bind(new.password_hash)
    .bind(user.email_verified_at.map(|t| t.to_db()))
    .bind(now.to_db())
    .execute(&mut **tx)
    .await;
    match result {
        Ok(_) => Ok(user),
        Err(e) if is_unique_violation(&e) => Err(AccountError::EmailTaken),
        Err(e) => Err(StoreError::from(e).into()),
    }
}

/// The account with this id.
pub async fn get(
    store: &Store,
    council: CouncilId,
    id: UserId,
) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> = sql::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE council_id = $1 AND user_id = $2"
    ))
    .bind(council.to_string())
    .bind(id.to_string())
    .fetch_optional(store.reader())
    .await?;
    row.map(user_from_row).transpose()
}

/// A resident's account read by someone else (its name and email address),
/// recorded in the audit log for `purpose` in the same transaction.
pub async fn get_as(
    store: &Store,
    council: CouncilId,
    id: UserId,
    (actor, actor_label, purpose): (townhall_audit::Actor, &str, &str),
) -> Result<Option<User>, StoreError> {
    let Some(user) = get(store, council, id)
        .await?
        .filter(|u| u.kind == UserKind::Resident)
    else {
        return Ok(None);
    };
    let mut tx = store.begin().await?;
    townhall_audit::append(
        &mut tx,
        &townhall_audit::AuditEvent::new(
            council,
            (actor, actor_label),
            townhall_audit::Action::Read,
            townhall_audit::RecordRef::Resident(id),
        )
        .about(Some(id))
        .fields(["display_name", "email"])
        .purpose(purpose),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user))
}

/// The account of this kind with this email address.
pub async fn find_by_email(
    store: &Store,
    council: CouncilId,
    kind: UserKind,
    email: &EmailAddress,
) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> = sql::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE council_id = $1 AND kind = $2 AND email = $3"
    ))
    .bind(council.to_string())
    .bind(kind.as_str())
    .bind(email.as_str())
    .fetch_optional(store.reader())
    .await?;
    row.map(user_from_row).transpose()
}

/// Checks an email address and password, counting failures and locking the
/// account after [`MAX_FAILED_ATTEMPTS`]. A browser known to have signed in
/// to this account (`device`, see [`crate::devices`]) is neither stopped by
/// that lock nor counted in it: it has its own count and lock. Takes as long
/// whether or not the account exists.
pub async fn sign_in_with_password(
    store: &Store,
    council: CouncilId,
    (kind, email): (UserKind, &EmailAddress),
    password: &str,
    device: Option<&KnownDevice>,
) -> Result<Result<User, SignInError>, StoreError> {
    let now = Timestamp::now();
    let attempt = Attempt {
        council,
        kind,
        email,
        now,
    };
    let row: Option<(String, Option<String>, Option<String>)> = sql::query_as(
        "SELECT user_id, password_hash, email_verified_at FROM users \
         WHERE council_id = $1 AND kind = $2 AND email = $3",
    )
    .bind(council.to_string())
    .bind(kind.as_str())
    .bind(email.as_str())
    .fetch_optional(store.reader())
    .await?;
    let mut known = device.filter(|d| {
        row.as_ref()
            .is_some_and(|(id, _, _)| *id == d.user.to_string())
    });
    if let Some(d) = known {
        // Counted before the password is checked, as for anyone.
        if !devices::attempt(store, council, d).await? {
            known = None;
        }
    }
    // The attempt is counted before the password is checked, so guesses sent
    // at once cannot pass the limit together; a right password forgets it.
    let (attempts, locked_until) = match known {
        Some(_) => (0, None),
        None => attempt.count(store).await?,
    };
    if let Some(until) = locked_until.filter(|u| *u > now) {
        return Ok(Err(SignInError::Locked {
            until,
            newly_locked: None,
        }));
    }
    if attempts > MAX_FAILED_ATTEMPTS {
        // Others sent at the same moment used up the tries; one of them locks.
        return Ok(Err(SignInError::Locked {
            until: now.plus(LOCKOUT),
            newly_locked: None,
        }));
    }
    // Whose address is known to be theirs: staff, and residents who
    // confirmed it. Only they are told of a lock; an address someone else
    // signed up with is never sent one lock email after another.
    let owned = |verified: &Option<String>| kind == UserKind::Staff || verified.is_some();
    let (user_id, hash, usable, owner) = match row {
        Some((id, Some(hash), verified)) => {
            let owned = owned(&verified);
            (Some(id.clone()), hash, owned, owned.then_some(id))
        }
        Some((id, None, verified)) => (
            Some(id.clone()),
            password::decoy_hash().to_owned(),
            false,
            owned(&verified).then_some(id),
        ),
        None => (None, password::decoy_hash().to_owned(), false, None),
    };
    let right = password::verify_async(password.to_owned(), hash).await;
    // A resident's account whose address is not yet confirmed answers as a
    // wrong password does, and counts as one: otherwise whoever signs up
    // with an address and then signs in with that password would learn from
    // the answer whether their sign-up made the account or found one there.
    let user_id = match user_id {
        Some(id) if right && usable => id,
        _ if known.is_some() => return Ok(Err(SignInError::BadCredentials)),
        _ if attempts >= MAX_FAILED_ATTEMPTS => {
            return Ok(Err(attempt.lock(store, owner).await?));
        }
        _ => return Ok(Err(SignInError::BadCredentials)),
    };
    match known {
        Some(d) => devices::succeeded(store, council, d).await?,
        None => attempt.forget(store).await?,
    }
    let id: UserId = user_id.parse().map_err(|_| decode_err("bad user id"))?;
    let user = get(store, council, id)
        .await?
        .ok_or_else(|| decode_err("account vanished"))?;
    Ok(Ok(user))
}

/// One sign-in attempt for an email address, whether or not an account has it.
struct Attempt<'a> {
    council: CouncilId,
    kind: UserKind,
    email: &'a EmailAddress,
    now: Timestamp,
}

impl Attempt<'_> {
    /// Counts the attempt: how many there have been within [`LOCKOUT`] of
    /// each other (a lock that has ended starts the count again), and the
    /// lock, if any. Rows nobody has added to for a day go.
    async fn count(&self, store: &Store) -> Result<(i64, Option<Timestamp>), StoreError> {
        let now = self.now.to_db();
        let window = self.now.plus(-LOCKOUT).to_db();
        let mut tx = store.begin().await?;
        sql::query(
            "DELETE FROM sign_in_failures WHERE council_id = $1 AND last_failed_at < $2 \
             AND (locked_until IS NULL OR locked_until < $3)",
        )
        .bind(self.council.to_string())
        .bind(self.now.plus(-time::Duration::days(1)).to_db())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let (attempts, locked_until): (i64, Option<String>) = sql::query_as(
            "INSERT INTO sign_in_failures (council_id, kind, email, failed_attempts, last_failed_at) \
             VALUES ($1, $2, $3, 1, $4) ON CONFLICT (council_id, kind, email) DO UPDATE SET \
             failed_attempts = CASE WHEN sign_in_failures.last_failed_at < $5 \
                 OR sign_in_failures.locked_until <= $4 THEN 1 \
                 ELSE sign_in_failures.failed_attempts + 1 END, \
             locked_until = CASE WHEN sign_in_failures.locked_until <= $4 THEN NULL \
                 ELSE sign_in_failures.locked_until END, \
             last_failed_at = $4 \
             RETURNING failed_attempts, locked_until",
        )
        .bind(self.council.to_string())
        .bind(self.kind.as_str())
        .bind(self.email.as_str())
        .bind(&now)
        .bind(&window)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let locked_until = locked_until
            .as_deref()
            .map(Timestamp::parse)
            .transpose()
            .map_err(|e| decode_err(e.to_string()))?;
        Ok((attempts, locked_until))
    }

    /// Locks the address after its last allowed wrong password; the account
    /// to tell when this attempt is the one that locked it.
    async fn lock(
        &self,
        store: &Store,
        user_id: Option<String>,
    ) -> Result<SignInError, StoreError> {
        let until = self.now.plus(LOCKOUT);
        let mut tx = store.begin().await?;
        let done = sql::query(
            "UPDATE sign_in_failures SET failed_attempts = 0, locked_until = $4 \
             WHERE council_id = $1 AND kind = $2 AND email = $3 \
             AND (locked_until IS NULL OR locked_until <= $5)",
        )
        .bind(self.council.to_string())
        .bind(self.kind.as_str())
        .bind(self.email.as_str())
        .bind(until.to_db())
        .bind(self.now.to_db())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let newly_locked = match user_id {
            Some(id) if done.rows_affected() == 1 => {
                tracing::warn!(user = %id, "account locked after repeated wrong passwords");
                Some(id.parse().map_err(|_| decode_err("bad user id"))?)
            }
            _ => None,
        };
        Ok(SignInError::Locked {
            until,
            newly_locked,
        })
    }

    /// Forgets the attempts: the password was right.
    async fn forget(&self, store: &Store) -> Result<(), StoreError> {
        let mut tx = store.begin().await?;
        sql::query(
            "DELETE FROM sign_in_failures WHERE council_id = $1 AND kind = $2 AND email = $3",
        )
        .bind(self.council.to_string())
        .bind(self.kind.as_str())
        .bind(self.email.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Sets a new password (already checked and hashed) and lifts any lock.
pub async fn set_password(
    tx: &mut Tx,
    council: CouncilId,
    user: UserId,
    hash: &str,
) -> Result<(), AccountError> {
    let done =
        sql::query("UPDATE users SET password_hash = $3 WHERE council_id = $1 AND user_id = $2")
            .bind(council.to_string())
            .bind(user.to_string())
            .bind(hash)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::from)?;
    if done.rows_affected() == 0 {
        return Err(AccountError::NotFound);
    }
    sql::query(
        "DELETE FROM sign_in_failures WHERE council_id = $1 AND (kind, email) IN \
         (SELECT kind, email FROM users u WHERE council_id = $1 AND user_id = $2)",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from)?;
    Ok(())
}

/// Records that the person proved the email address is theirs.
pub async fn mark_verified(
    tx: &mut Tx,
    council: CouncilId,
    user: UserId,
) -> Result<(), StoreError> {
    sql::query(
        "UPDATE users SET email_verified_at = $3 WHERE council_id = $1 AND user_id = $2 AND email_verified_at IS NULL",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .bind(Timestamp::now().to_db())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
