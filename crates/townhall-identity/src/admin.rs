//! Administration commands (`townhall admin`): teams, staff accounts and
//! their passwords, and API keys. Each opens its own transaction.

use std::num::NonZeroU32;

use townhall_store::{Store, StoreError};
use townhall_types::{ApiScopes, CouncilId, EmailAddress, Timestamp};

use crate::accounts::{self, AccountError, NewAccount, UserKind};
use crate::staff::{self, Team};
use crate::{api_keys, devices, sessions, Role, StaffMember};

/// A staff account to create.
#[derive(Debug, Clone, Copy)]
pub struct NewStaff<'a> {
    /// Their email address.
    pub email: &'a EmailAddress,
    /// Their name.
    pub name: &'a str,
    /// Their role.
    pub role: Role,
    /// Their team's name, the team made if new.
    pub team: Option<&'a str>,
    /// Their password, hashed ([`crate::password::hash_async`]).
    pub password_hash: &'a str,
}

/// The team called `name`, made if new.
pub async fn add_team(store: &Store, council: CouncilId, name: &str) -> Result<Team, StoreError> {
    let mut tx = store.begin().await?;
    let team = staff::ensure_team(&mut tx, council, name).await?;
    tx.commit().await?;
    Ok(team)
}

/// Creates a staff account, confirmed, in its team.
pub async fn add_staff(
    store: &Store,
    council: CouncilId,
    new: &NewStaff<'_>,
) -> Result<StaffMember, AccountError> {
    let mut tx = store.begin().await?;
    let team = match new.team {
        Some(t) => Some(staff::ensure_team(&mut tx, council, t).await?),
        None => None,
    };
    let member = staff::create(
        &mut tx,
        council,
        &NewAccount {
            kind: UserKind::Staff,
            email: new.email,
            display_name: new.name,
            password_hash: Some(new.password_hash),
            verified: true,
        },
        new.role,
        team.as_ref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(member)
}

/// Gives the account of `kind` (staff's, or a partner's staff's: those
/// whose passwords an administrator sets) with `email` a new password,
/// lifting any lock, and ends its sessions and forgets its browsers, so
/// that whoever knew the old one is signed out. [`AccountError::NotFound`]
/// if there is none.
pub async fn reset_password(
    store: &Store,
    council: CouncilId,
    (kind, email): (UserKind, &EmailAddress),
    password_hash: &str,
) -> Result<(), AccountError> {
    let user = accounts::find_by_email(store, council, kind, email)
        .await?
        .ok_or(AccountError::NotFound)?;
    let mut tx = store.begin().await?;
    accounts::set_password(&mut tx, council, user.id, password_hash).await?;
    sessions::end_all(&mut tx, council, user.id).await?;
    devices::forget_all(&mut tx, council, user.id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Issues an API key; returns its secret, shown once.
pub async fn issue_api_key(
    store: &Store,
    council: CouncilId,
    name: &str,
    scopes: &ApiScopes,
    requests_per_minute: NonZeroU32,
) -> Result<String, StoreError> {
    let mut tx = store.begin().await?;
    let key = api_keys::create(&mut tx, council, name, scopes, requests_per_minute).await?;
    tx.commit().await?;
    Ok(key)
}

/// Changes how many requests a minute a key may make; false if the council
/// has no such key.
pub async fn limit_api_key(
    store: &Store,
    council: CouncilId,
    key_id: &str,
    requests_per_minute: NonZeroU32,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let found = api_keys::set_limit(&mut tx, council, key_id, requests_per_minute).await?;
    tx.commit().await?;
    Ok(found)
}

/// Revokes a key from now; false if the council has no such key in use.
pub async fn revoke_api_key(
    store: &Store,
    council: CouncilId,
    key_id: &str,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let found = api_keys::revoke(&mut tx, council, key_id, Timestamp::now()).await?;
    tx.commit().await?;
    Ok(found)
}
