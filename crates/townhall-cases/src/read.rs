//! Finding cases: a resident's own, a team's queue, one case for staff (audited),
//! and open cases near a point (duplicate detection).

use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_places::distance_metres;
use townhall_store::{sql, Store, StoreError};
use townhall_types::{CaseId, CouncilId, TeamId, Timestamp, UserId};

use crate::model::{Case, CaseEvent};
use crate::row;

/// The cases resident `$2` made or follows.
const FOLLOWED: &str = "resident_id = $2 OR EXISTS (SELECT 1 FROM case_followers f \
    WHERE f.council_id = cases.council_id AND f.case_id = cases.case_id AND f.resident_id = $2)";

/// A resident's own cases (made or followed), newest first. Their own data, so not audited.
pub async fn for_resident(
    store: &Store,
    council: CouncilId,
    resident: UserId,
    limit: i64,
) -> Result<Vec<Case>, StoreError> {
    let rows = sql::query(&format!(
        "SELECT {} FROM cases WHERE council_id = $1 AND ({FOLLOWED}) ORDER BY created_at DESC LIMIT $3",
        row::CASE_COLUMNS
    ))
    .bind(council.to_string())
    .bind(resident.to_string())
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(row::case).collect()
}

/// One of the resident's own cases by its reference, with the history they
/// see (public events only). `None` when it is not theirs.
pub async fn own_case(
    store: &Store,
    council: CouncilId,
    resident: UserId,
    reference: &str,
) -> Result<Option<(Case, Vec<CaseEvent>)>, StoreError> {
    let found = sql::query(&format!(
        "SELECT {} FROM cases WHERE council_id = $1 AND reference = $3 AND ({FOLLOWED})",
        row::CASE_COLUMNS
    ))
    .bind(council.to_string())
    .bind(resident.to_string())
    .bind(reference)
    .fetch_optional(store.reader())
    .await?;
    let Some(case) = found.as_ref().map(row::case).transpose()? else {
        return Ok(None);
    };
    let history = sql::query(
        "SELECT seq, kind, status, note, public, published, actor, created_at FROM case_events \
         WHERE council_id = $1 AND case_id = $2 AND (public = 1 OR kind = 'created') ORDER BY seq",
    )
    .bind(council.to_string())
    .bind(case.id.to_string())
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(row::event)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((case, history)))
}

/// A case's id and team by its reference: enough to decide who may open it,
/// without reading anything personal.
pub async fn team_of(
    store: &Store,
    council: CouncilId,
    reference: &str,
) -> Result<Option<(CaseId, TeamId)>, StoreError> {
    let row: Option<(String, String)> = sql::query_as(
        "SELECT case_id, team_id FROM cases WHERE council_id = $1 AND reference = $2",
    )
    .bind(council.to_string())
    .bind(reference)
    .fetch_optional(store.reader())
    .await?;
    row.map(|(case, team)| {
        Ok((
            case.parse()
                .map_err(|_| StoreError::decode("bad case id"))?,
            team.parse()
                .map_err(|_| StoreError::decode("bad team id"))?,
        ))
    })
    .transpose()
}

/// Which of a team's cases to list.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Closed cases instead of open ones.
    pub closed: bool,
    /// Only this service.
    pub service: Option<String>,
    /// Only cases whose reference starts with this.
    pub reference: Option<String>,
}

/// A team's cases, soonest due first. Callers show only what a queue needs
/// (reference, service, status, place, deadline); contact details are read
/// through [`open_as`].
pub async fn queue(
    store: &Store,
    council: CouncilId,
    team: TeamId,
    filter: &QueueFilter,
    limit: i64,
) -> Result<Vec<Case>, StoreError> {
    let rows = sql::query(&format!(
        "SELECT {} FROM cases WHERE council_id = $1 AND team_id = $2 AND closed = $3 \
         AND ($4 = '' OR service_id = $4) AND ($5 = '' OR reference LIKE $5 || '%') \
         ORDER BY due_at, created_at LIMIT $6",
        row::CASE_COLUMNS
    ))
    .bind(council.to_string())
    .bind(team.to_string())
    .bind(i64::from(filter.closed))
    .bind(filter.service.clone().unwrap_or_default())
    .bind(
        filter
            .reference
            .clone()
            .unwrap_or_default()
            .to_ascii_uppercase(),
    )
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(row::case).collect()
}

/// One case with its history, for a member of staff: the read is recorded in
/// the audit log, in the same transaction, with the purpose given.
pub async fn open_as(
    store: &Store,
    council: CouncilId,
    case: CaseId,
    actor: Actor,
    actor_label: &str,
    purpose: &str,
) -> Result<Option<(Case, Vec<CaseEvent>)>, StoreError> {
    let mut tx = store.begin().await?;
    let found = sql::query(&format!(
        "SELECT {} FROM cases WHERE council_id = $1 AND case_id = $2",
        row::CASE_COLUMNS
    ))
    .bind(council.to_string())
    .bind(case.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(found) = found.as_ref().map(row::case).transpose()? else {
        return Ok(None);
    };
    let history = sql::query(
        "SELECT seq, kind, status, note, public, published, actor, created_at FROM case_events \
         WHERE council_id = $1 AND case_id = $2 ORDER BY seq",
    )
    .bind(council.to_string())
    .bind(case.to_string())
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(row::event)
    .collect::<Result<Vec<_>, _>>()?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (actor, actor_label),
            Action::Read,
            RecordRef::Case(case),
        )
        .about(found.resident)
        .fields([
            "contact_name",
            "contact_email",
            "contact_phone",
            "answers",
            "location",
        ])
        .purpose(purpose),
    )
    .await?;
    tx.commit().await?;
    Ok(Some((found, history)))
}

/// Open cases of `service` within `metres` of a point and made since `since`,
/// nearest first: "is this the same problem?".
pub async fn nearby_open(
    store: &Store,
    council: CouncilId,
    service: &str,
    (latitude, longitude): (f64, f64),
    metres: f64,
    since: Timestamp,
) -> Result<Vec<(Case, f64)>, StoreError> {
    // A box around the point narrows the rows; the exact distance decides.
    let dlat = metres / 111_000.0;
    let dlon = metres / (111_000.0 * latitude.to_radians().cos().abs().max(0.01));
    let rows = sql::query(&format!(
        "SELECT {} FROM cases WHERE council_id = $1 AND service_id = $2 AND closed = 0 \
         AND created_at >= $3 AND latitude BETWEEN $4 AND $5 AND longitude BETWEEN $6 AND $7",
        row::CASE_COLUMNS
    ))
    .bind(council.to_string())
    .bind(service)
    .bind(since.to_db())
    .bind(latitude - dlat)
    .bind(latitude + dlat)
    .bind(longitude - dlon)
    .bind(longitude + dlon)
    .fetch_all(store.reader())
    .await?;
    let mut near: Vec<(Case, f64)> = rows
        .iter()
        .map(row::case)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter_map(|c| {
            let l = c.location.as_ref()?;
            let d = distance_metres((latitude, longitude), (l.latitude, l.longitude));
            (d <= metres).then_some((c, d))
        })
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(near)
}

/// How many open cases of `service` have booked each day through the slot
/// question `question`: what is taken from each day's capacity.
pub async fn booked_days(
    store: &Store,
    council: CouncilId,
    service: &str,
    question: &str,
) -> Result<std::collections::HashMap<time::Date, u32>, StoreError> {
    booked(store.reader(), council, service, question).await
}

/// [`booked_days`], read from `from` (the store, or a transaction).
pub(crate) async fn booked<'e>(
    from: impl sql::Executor<'e, Database = sql::Any>,
    council: CouncilId,
    service: &str,
    question: &str,
) -> Result<std::collections::HashMap<time::Date, u32>, StoreError> {
    let rows: Vec<(String,)> = sql::query_as(
        "SELECT answers FROM cases WHERE council_id = $1 AND service_id = $2 AND closed = 0",
    )
    .bind(council.to_string())
    .bind(service)
    .fetch_all(from)
    .await?;
    let mut booked = std::collections::HashMap::new();
    for (answers,) in rows {
        let answers: townhall_services::Answers = serde_json::from_str(&answers)
            .map_err(|e| StoreError::decode(format!("bad answers: {e}")))?;
        if let Some(townhall_services::Answer::Slot(day)) = answers.get(question) {
            *booked.entry(*day).or_insert(0) += 1;
        }
    }
    Ok(booked)
}

/// A permit a resident holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPermit {
    /// What it is, e.g. "Resident parking permit".
    pub name: String,
    /// The case that issued it.
    pub reference: String,
    /// When it ends.
    pub valid_until: Timestamp,
}

/// The permits issued on a resident's cases, latest first.
pub async fn permits_for(
    store: &Store,
    council: CouncilId,
    resident: UserId,
) -> Result<Vec<HeldPermit>, StoreError> {
    let rows: Vec<(String, String, String)> = sql::query_as(
        "SELECT p.name, c.reference, p.valid_until FROM permits p JOIN cases c \
         ON c.council_id = p.council_id AND c.case_id = p.case_id \
         WHERE p.council_id = $1 AND c.resident_id = $2 ORDER BY p.valid_until DESC",
    )
    .bind(council.to_string())
    .bind(resident.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(name, reference, until)| {
            Ok(HeldPermit {
                name,
                reference,
                valid_until: Timestamp::parse(&until)
                    .map_err(|e| StoreError::decode(e.to_string()))?,
            })
        })
        .collect()
}

/// Whether `resident` has an open case with `team`: the relationship that
/// lets the team's staff see the resident's record.
pub async fn open_case_with_team(
    store: &Store,
    council: CouncilId,
    resident: UserId,
    team: TeamId,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = sql::query_as(
        "SELECT 1 FROM cases WHERE council_id = $1 AND resident_id = $2 AND team_id = $3 \
         AND closed = 0 LIMIT 1",
    )
    .bind(council.to_string())
    .bind(resident.to_string())
    .bind(team.to_string())
    .fetch_optional(store.reader())
    .await?;
    Ok(row.is_some())
}

/// The residents with an open case with `team`: those its staff may see.
pub async fn residents_with_open_cases(
    store: &Store,
    council: CouncilId,
    team: TeamId,
) -> Result<Vec<UserId>, StoreError> {
    let rows: Vec<(String,)> = sql::query_as(
        "SELECT DISTINCT resident_id FROM cases WHERE council_id = $1 AND team_id = $2 \
         AND closed = 0 AND resident_id IS NOT NULL",
    )
    .bind(council.to_string())
    .bind(team.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(id,)| {
            id.parse()
                .map_err(|_| StoreError::decode("bad resident id"))
        })
        .collect()
}
