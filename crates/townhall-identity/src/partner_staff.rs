//! A partner organisation's staff: accounts of their own (a password, or a
//! passkey), each with the organisation it works for and a role in it.
//! Which organisations exist is the data-exchange hub's to say: it makes
//! these accounts in the transaction that checks the partner.

use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, UserId};

use crate::accounts::{
    self, user_from_row, AccountError, NewAccount, User, UserKind, USER_COLUMNS,
};
use crate::decode_err;

/// A role in a partner organisation (see `townhall-authz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartnerRole {
    /// Finds people and reads what the organisation's agreements share.
    Practitioner,
    /// Runs the organisation's side of the exchange: also sees what the
    /// organisation asked of the hub, and its messages not delivered.
    Manager,
}

impl PartnerRole {
    /// Every role, for forms and tests.
    pub const ALL: [PartnerRole; 2] = [PartnerRole::Practitioner, PartnerRole::Manager];

    /// The stored and command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerRole::Practitioner => "practitioner",
            PartnerRole::Manager => "manager",
        }
    }

    /// How pages name the role.
    pub fn label(self) -> &'static str {
        match self {
            PartnerRole::Practitioner => "Practitioner",
            PartnerRole::Manager => "Information governance manager",
        }
    }

    /// Reads a stored or typed role name.
    pub fn parse(s: &str) -> Option<Self> {
        PartnerRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A member of a partner organisation's staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerStaffMember {
    /// Their account.
    pub user: User,
    /// Their organisation, by the hub's id for it.
    pub partner: String,
    /// Their role in it.
    pub role: PartnerRole,
}

/// Opens the account of a member of `partner`'s staff, in the caller's
/// transaction (which has checked that the partner exists).
pub async fn create(
    tx: &mut Tx,
    council: CouncilId,
    account: &NewAccount<'_>,
    partner: &str,
    role: PartnerRole,
) -> Result<PartnerStaffMember, AccountError> {
    let user = accounts::create(
        tx,
        council,
        &NewAccount {
            kind: UserKind::PartnerStaff,
            ..account.clone()
        },
    )
    .await?;
    sql::query(
        "INSERT INTO partner_staff (council_id, user_id, partner_id, role) VALUES ($1, $2, $3, $4)",
    )
    .bind(council.to_string())
    .bind(user.id.to_string())
    .bind(partner)
    .bind(role.as_str())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from)?;
    Ok(PartnerStaffMember {
        user,
        partner: partner.to_owned(),
        role,
    })
}

/// The organisation and role of a signed-in partner staff account.
pub async fn get(store: &Store, user: &User) -> Result<Option<PartnerStaffMember>, StoreError> {
    if user.kind != UserKind::PartnerStaff {
        return Ok(None);
    }
    let row: Option<(String, String)> = sql::query_as(
        "SELECT partner_id, role FROM partner_staff WHERE council_id = $1 AND user_id = $2",
    )
    .bind(user.council.to_string())
    .bind(user.id.to_string())
    .fetch_optional(store.reader())
    .await?;
    row.map(|(partner, role)| {
        Ok(PartnerStaffMember {
            user: user.clone(),
            partner,
            role: PartnerRole::parse(&role)
                .ok_or_else(|| decode_err(format!("unknown partner role '{role}'")))?,
        })
    })
    .transpose()
}

/// An account's columns ([`USER_COLUMNS`]) and its role.
type StaffRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
);

/// Everyone on `partner`'s staff, by name.
pub async fn of_partner(
    store: &Store,
    council: CouncilId,
    partner: &str,
) -> Result<Vec<PartnerStaffMember>, StoreError> {
    let rows: Vec<StaffRow> = sql::query_as(&format!(
        "SELECT {USER_COLUMNS}, p.role FROM partner_staff p \
             JOIN users u ON u.council_id = p.council_id AND u.user_id = p.user_id \
             WHERE p.council_id = $1 AND p.partner_id = $2 ORDER BY u.display_name, u.email"
    ))
    .bind(council.to_string())
    .bind(partner)
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(council, id, kind, email, name, verified, role)| {
            Ok(PartnerStaffMember {
                user: user_from_row((council, id, kind, email, name, verified))?,
                partner: partner.to_owned(),
                role: PartnerRole::parse(&role)
                    .ok_or_else(|| decode_err(format!("unknown partner role '{role}'")))?,
            })
        })
        .collect()
}

/// Closes a partner's member of staff's account for good (they have left,
/// or their organisation no longer works with the council), in the
/// caller's transaction: its sessions end, its passkeys (and any being added),
/// browsers and emailed links go, and the account with them, so the address can be
/// given an account again. The audit log keeps their name on what they did.
pub async fn remove(tx: &mut Tx, council: CouncilId, user: UserId) -> Result<(), StoreError> {
    crate::sessions::end_all(tx, council, user).await?;
    crate::passkeys::remove_all(tx, council, user).await?;
    crate::devices::forget_all(tx, council, user).await?;
    for table in [
        "webauthn_ceremonies",
        "account_tokens",
        "partner_staff",
        "users",
    ] {
        // The table names are these, never the caller's.
        sql::query(&format!(
            "DELETE FROM {table} WHERE council_id = $1 AND user_id = $2"
        ))
        .bind(council.to_string())
        .bind(user.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
