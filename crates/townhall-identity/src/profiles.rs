//! Residents' personal details. Owners read their own; anyone else reads through
//! [`read_as`], which records the read in the audit log in the same transaction.

use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
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
        "INSERT INTO residents (council_id, user_id, given_name, family_name, date_of_birth, phone, uprn, search_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (council_id, user_id) DO UPDATE SET given_name = excluded.given_name, \
         family_name = excluded.family_name, date_of_birth = excluded.date_of_birth, \
         phone = excluded.phone, uprn = excluded.uprn, search_name = excluded.search_name",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.date_of_birth)
    .bind(&p.phone)
    .bind(&p.uprn)
    .bind(search_name(&p.given_name, &p.family_name))
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

/// The accounts of the residents who give `uprn` as their home, in order:
/// ids only, for a service that then reads, audited, what it needs.
pub async fn living_at(
    store: &Store,
    council: CouncilId,
    uprn: &str,
) -> Result<Vec<UserId>, StoreError> {
    let rows: Vec<(String,)> = sql::query_as(
        "SELECT user_id FROM residents WHERE council_id = $1 AND uprn = $2 ORDER BY user_id",
    )
    .bind(council.to_string())
    .bind(uprn)
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(id,)| {
            id.parse()
                .map_err(|_| StoreError::decode(format!("bad account id '{id}'")))
        })
        .collect()
}

/// A resident's name and date of birth as they give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnDetails {
    /// First name.
    pub given_name: String,
    /// Last name.
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`, if given.
    pub date_of_birth: Option<String>,
}

/// A resident changes their own name and date of birth (those they typed
/// when they signed up, or corrects what someone else typed with their
/// address before they confirmed it): saved with the name their account is
/// greeted by, and audited.
pub async fn change_own(
    store: &Store,
    council: CouncilId,
    user: UserId,
    details: &OwnDetails,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let before = load(&mut tx, council, user).await?.unwrap_or_default();
    save(
        &mut tx,
        council,
        user,
        &ResidentProfile {
            given_name: details.given_name.clone(),
            family_name: details.family_name.clone(),
            date_of_birth: details.date_of_birth.clone(),
            ..before
        },
    )
    .await?;
    let name = format!("{} {}", details.given_name, details.family_name);
    sql::query("UPDATE users SET display_name = $3 WHERE council_id = $1 AND user_id = $2")
        .bind(council.to_string())
        .bind(user.to_string())
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (Actor::Resident(user.to_string()), &name),
            Action::Update,
            RecordRef::Resident(user),
        )
        .about(Some(user))
        .fields(["given_name", "family_name", "date_of_birth"])
        .purpose("correcting a resident's own details"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
    let Some(profile) = load(&mut tx, council, subject).await? else {
        // Nothing was read: nothing to record.
        return Ok(None);
    };
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (actor, actor_label),
            Action::Read,
            RecordRef::Resident(subject),
        )
        .about(Some(subject))
        .fields(FIELDS)
        .purpose(purpose),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(profile))
}

/// The name as searches match it: lower case in every script.
fn search_name(given: &str, family: &str) -> String {
    format!("{given} {family}").to_lowercase()
}

/// What a member of staff searches residents by; empty parts are ignored.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Words of the name, each matched anywhere in the given or family name.
    pub name: String,
    /// The date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Homes (UPRNs), e.g. those at a postcode.
    pub uprns: Option<Vec<String>>,
}

/// A resident as a search lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Their account.
    pub id: UserId,
    /// Their name.
    pub name: String,
    /// Their date of birth, if known.
    pub date_of_birth: Option<String>,
    /// Their account's email address, which tells apart two accounts
    /// giving one name and birthday (one of them perhaps typed by someone
    /// else): the resident can say which is theirs.
    pub email: String,
}

/// The most residents one search lists.
pub const MOST_FOUND: usize = 50;

/// The longest list of residents the searcher may see that is put in the query.
const AMONG_IN_SQL: usize = 1000;

/// Finds residents matching `search`, only among `among` when given (those
/// the searcher may see), and records in the audit log that each listed
/// resident's name, date of birth and email address were seen, for `purpose`.
pub async fn find_as(
    store: &Store,
    council: CouncilId,
    search: &Search,
    among: Option<&[UserId]>,
    (actor, actor_label, purpose): (Actor, &str, &str),
) -> Result<Vec<Found>, StoreError> {
    // Each word of at least two letters; a single letter would list everyone.
    let words: Vec<String> = search
        .name
        .split_whitespace()
        .map(|w| w.to_lowercase().replace(['%', '_'], ""))
        .filter(|w| w.chars().count() >= 2)
        .map(|w| format!("%{w}%"))
        .collect();
    let mut conditions = vec!["council_id = $1".to_owned()];
    let mut values: Vec<String> = vec![council.to_string()];
    let next = |value: String, values: &mut Vec<String>| {
        values.push(value);
        format!("${}", values.len())
    };
    for w in words {
        let p = next(w, &mut values);
        conditions.push(format!(
            "COALESCE(search_name, LOWER(given_name || ' ' || family_name)) LIKE {p}"
        ));
    }
    if let Some(d) = &search.date_of_birth {
        let p = next(d.clone(), &mut values);
        conditions.push(format!("date_of_birth = {p}"));
    }
    // Those the searcher may see: in the query while the list is short, else
    // checked on the rows found (a statement takes a few thousand parameters
    // at most).
    let among_in_sql = among.filter(|a| a.len() <= AMONG_IN_SQL);
    for (column, list) in [
        ("uprn", search.uprns.clone()),
        (
            "user_id",
            among_in_sql.map(|a| a.iter().map(ToString::to_string).collect()),
        ),
    ] {
        if let Some(list) = list {
            if list.is_empty() {
                return Ok(Vec::new());
            }
            let ps: Vec<String> = list.into_iter().map(|v| next(v, &mut values)).collect();
            conditions.push(format!("{column} IN ({})", ps.join(", ")));
        }
    }
    if among.is_some_and(<[UserId]>::is_empty) {
        return Ok(Vec::new());
    }
    let asked = conditions.len() - 1 - usize::from(among_in_sql.is_some());
    if asked == 0 {
        // Nothing asked: nobody is listed.
        return Ok(Vec::new());
    }
    let text = format!(
        "SELECT user_id, given_name, family_name, date_of_birth, \
         (SELECT email FROM users WHERE users.council_id = residents.council_id \
          AND users.user_id = residents.user_id) FROM residents WHERE {} \
         ORDER BY family_name, given_name, user_id LIMIT {}",
        conditions.join(" AND "),
        if among.is_some() && among_in_sql.is_none() {
            20 * MOST_FOUND
        } else {
            MOST_FOUND
        }
    );
    let mut query =
        sql::query_as::<_, (String, String, String, Option<String>, Option<String>)>(&text);
    for v in &values {
        query = query.bind(v);
    }
    let rows = query.fetch_all(store.reader()).await?;
    let found: Vec<Found> = rows
        .into_iter()
        .map(|(id, given, family, dob, email)| {
            Ok(Found {
                id: id.parse().map_err(|_| crate::decode_err("bad user id"))?,
                name: format!("{given} {family}"),
                date_of_birth: dob,
                email: email.unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<Found>, StoreError>>()?
        .into_iter()
        .filter(|f| among.is_none_or(|a| a.contains(&f.id)))
        .take(MOST_FOUND)
        .collect();
    if found.is_empty() {
        return Ok(found);
    }
    let events: Vec<AuditEvent> = found
        .iter()
        .map(|f| {
            AuditEvent::new(
                council,
                (actor.clone(), actor_label),
                Action::Read,
                RecordRef::Resident(f.id),
            )
            .about(Some(f.id))
            .fields(["given_name", "family_name", "date_of_birth", "email"])
            .purpose(purpose)
        })
        .collect();
    let mut tx = store.begin().await?;
    townhall_audit::append_all(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(found)
}
