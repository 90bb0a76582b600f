//! Residents' personal details. Owners read their own; anyone else reads through
//! [`read_as`], which records the read in the audit log in the same transaction.

use townhall_audit::{Action, Actor, AuditEvent, Outcome};
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, UserId};

/// What the council knows about a resident.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResidentProfile {
    /// First name.
    pub given_name: String,
    /// Last name.
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Telephone number.
    pub phone: Option<String>,
    /// The UPRN of their home in the gazetteer.
    pub uprn: Option<String>,
}

/// The fields of a profile, as named in audit entries.
pub const FIELDS: [&str; 5] = [
    "given_name",
    "family_name",
    "date_of_birth",
    "phone",
    "uprn",
];

type ProfileRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Saves a resident's profile (new or changed).
pub async fn save(
    tx: &mut Tx,
    council: CouncilId,
    user: UserId,
    p: &ResidentProfile,
) -> Result<(), StoreError> {
    sql::query(
        "INSERT INTO residents (council_id, user_id, given_name, family_name, date_of_birth, phone, uprn) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (council_id, user_id) DO UPDATE SET given_name = excluded.given_name, \
         family_name = excluded.family_name, date_of_birth = excluded.date_of_birth, \
         phone = excluded.phone, uprn = excluded.uprn",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.date_of_birth)
    .bind(&p.phone)
    .bind(&p.uprn)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn load(
    conn: &mut sql::AnyConnection,
    council: CouncilId,
    user: UserId,
) -> Result<Option<ResidentProfile>, StoreError> {
    let row: Option<ProfileRow> = sql::query_as(
        "SELECT given_name, family_name, date_of_birth, phone, uprn FROM residents \
         WHERE council_id = $1 AND user_id = $2",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| ResidentProfile {
        given_name: r.0,
        family_name: r.1,
        date_of_birth: r.2,
        phone: r.3,
        uprn: r.4,
    }))
}

/// A resident reads their own profile.
pub async fn read_own(
    store: &Store,
    council: CouncilId,
    user: UserId,
) -> Result<Option<ResidentProfile>, StoreError> {
    let mut conn = store.reader().acquire().await?;
    load(&mut conn, council, user).await
}

/// Someone other than the resident reads the profile, for `purpose`; the read is audited.
pub async fn read_as(
    store: &Store,
    council: CouncilId,
    subject: UserId,
    actor: Actor,
    actor_label: &str,
    purpose: &str,
) -> Result<Option<ResidentProfile>, StoreError> {
    let mut tx = store.begin().await?;
    let profile = load(&mut tx, council, subject).await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent {
            council,
            actor,
            actor_label: actor_label.to_owned(),
            on_behalf_of: None,
            subject: Some(subject.to_string()),
            record: format!("resident:{subject}"),
            fields: FIELDS.iter().map(|f| (*f).to_owned()).collect(),
            action: Action::Read,
            purpose: purpose.to_owned(),
            outcome: Outcome::Allowed,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(profile)
}
