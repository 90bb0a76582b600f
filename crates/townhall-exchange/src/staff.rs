//! A partner organisation's staff accounts: made for a partner the council
//! has registered, in the transaction that checks it is one, each with a
//! role in the organisation. They sign in to the hub's partner pages, where
//! what they may see of anyone is the hub's decision, as for their
//! organisation's signed requests.

use townhall_identity::accounts::{AccountError, NewAccount, UserKind};
use townhall_identity::{PartnerRole, PartnerStaffMember};
use townhall_store::{sql, Store, StoreError};
use townhall_types::text::PersonName;
use townhall_types::{CouncilId, EmailAddress};

/// A partner's member of staff to give an account.
#[derive(Debug, Clone, Copy)]
pub struct NewPartnerStaff<'a> {
    /// Their email address.
    pub email: &'a EmailAddress,
    /// Their name.
    pub name: &'a str,
    /// Their role in the organisation.
    pub role: PartnerRole,
    /// Their password, hashed (`townhall_identity::password::hash_async`).
    pub password_hash: &'a str,
}

/// Why a partner's staff account was not made.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// No such partner.
    #[error("there is no partner '{0}'")]
    UnknownPartner(String),
    /// No name, or too long a one.
    #[error("give the person's name, on one line of at most 100 characters")]
    BadName,
    /// The address has a partner staff account already.
    #[error("a partner's staff account already has the email address {0}")]
    EmailTaken(EmailAddress),
    /// The address is not one of the partner's staff's.
    #[error("{partner} has nobody on its staff with the email address {email}")]
    NotOnStaff {
        /// The partner.
        partner: String,
        /// The address.
        email: EmailAddress,
    },
    /// The account could not be made.
    #[error(transparent)]
    Account(AccountError),
    /// A stored partner cannot be read.
    #[error("{0}")]
    Unreadable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Gives a member of `partner`'s staff an account, confirmed, with `role`.
pub async fn add(
    store: &Store,
    council: CouncilId,
    partner: &str,
    new: &NewPartnerStaff<'_>,
) -> Result<PartnerStaffMember, StaffError> {
    // As names are typed anywhere else: line breaks and tabs become
    // spaces, characters nobody types (controls, direction overrides that
    // would disguise a name in a resident's access log) are refused.
    let name = townhall_types::text::clean(new.name)
        .ok()
        .and_then(|n| PersonName::parse(&n).ok().flatten())
        .ok_or(StaffError::BadName)?;
    let mut tx = store.begin().await?;
    let known: Option<(String,)> =
        sql::query_as("SELECT partner_id FROM partners WHERE council_id = $1 AND partner_id = $2")
            .bind(council.to_string())
            .bind(partner)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    if known.is_none() {
        return Err(StaffError::UnknownPartner(partner.to_owned()));
    }
    let member = townhall_identity::partner_staff::create(
        &mut tx,
        council,
        &NewAccount {
            kind: UserKind::PartnerStaff,
            email: new.email,
            display_name: name.as_str(),
            password_hash: Some(new.password_hash),
            verified: true,
        },
        partner,
        new.role,
    )
    .await
    .map_err(|e| match e {
        AccountError::EmailTaken => StaffError::EmailTaken(new.email.clone()),
        AccountError::Store(e) => StaffError::Store(e),
        e => StaffError::Account(e),
    })?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(member)
}

/// Everyone on `partner`'s staff, by name.
pub async fn list(
    store: &Store,
    council: CouncilId,
    partner: &str,
) -> Result<Vec<PartnerStaffMember>, StaffError> {
    let known = crate::partners::get(store, council, partner)
        .await
        .map_err(|e| match e {
            crate::PartnerError::Store(e) => StaffError::Store(e),
            e => StaffError::Unreadable(e.to_string()),
        })?;
    if known.is_none() {
        return Err(StaffError::UnknownPartner(partner.to_owned()));
    }
    Ok(townhall_identity::partner_staff::of_partner(store, council, partner).await?)
}

/// The member of `partner`'s staff with `email`.
pub async fn member(
    store: &Store,
    council: CouncilId,
    partner: &str,
    email: &EmailAddress,
) -> Result<PartnerStaffMember, StaffError> {
    list(store, council, partner)
        .await?
        .into_iter()
        .find(|m| m.user.email == *email)
        .ok_or_else(|| StaffError::NotOnStaff {
            partner: partner.to_owned(),
            email: email.clone(),
        })
}

/// Gives the member of `partner`'s staff with `email` a new password
/// (hashed), lifting any lock and ending their sessions: who it was.
pub async fn reset_password(
    store: &Store,
    council: CouncilId,
    partner: &str,
    email: &EmailAddress,
    password_hash: &str,
) -> Result<PartnerStaffMember, StaffError> {
    let member = member(store, council, partner, email).await?;
    townhall_identity::admin::reset_password(
        store,
        council,
        (UserKind::PartnerStaff, email),
        password_hash,
    )
    .await
    .map_err(StaffError::Account)?;
    Ok(member)
}

/// Closes the account of the member of `partner`'s staff with `email`
/// (see `townhall_identity::partner_staff::remove`): who it was.
pub async fn remove(
    store: &Store,
    council: CouncilId,
    partner: &str,
    email: &EmailAddress,
) -> Result<PartnerStaffMember, StaffError> {
    let member = member(store, council, partner, email).await?;
    let mut tx = store.begin().await?;
    townhall_identity::partner_staff::remove(&mut tx, council, member.user.id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(member)
}
