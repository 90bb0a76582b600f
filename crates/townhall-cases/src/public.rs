//! What anyone may know of the council's cases: the open feed behind
//! Open311's `GET requests` and FixMyStreet's request updates.
//!
//! Nothing here says who asked. Answers typed as free text and photos may
//! hold personal data, so only chosen, yes/no and numeric answers are shown;
//! a report at a property (a gazetteer address) gives no address and a
//! position rounded to about 100 metres, while a point on a street is given
//! as it was reported. Of a case's history, only status changes and the notes
//! staff chose to publish are shown: what they wrote to the person who
//! reported it stays between them.

use townhall_services::{Answer, Answers};
use townhall_store::sql::Row as _;
use townhall_store::{sql, Row, Store, StoreError};
use townhall_types::{CaseId, CouncilId, Timestamp};

/// A case as the public sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCase {
    /// Its id (Open311's token).
    pub id: CaseId,
    /// Its reference (Open311's `service_request_id`).
    pub reference: String,
    /// Its service's code.
    pub service: String,
    /// Its status's code.
    pub status: String,
    /// Whether it is closed.
    pub closed: bool,
    /// The answers that cannot identify anyone.
    pub answers: Answers,
    /// Latitude and longitude, rounded at properties.
    pub position: Option<(f64, f64)>,
    /// The latest published note, if any.
    pub latest_note: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When it is due.
    pub due_at: Timestamp,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// Only these references (the others are then ignored).
    pub references: Vec<String>,
    /// Only these services (all when empty).
    pub services: Vec<String>,
    /// Made at or after.
    pub from: Option<Timestamp>,
    /// Made at or before.
    pub until: Option<Timestamp>,
    /// Only open (`Some(false)`) or closed (`Some(true)`) cases.
    pub closed: Option<bool>,
}

const COLUMNS: &str = "c.case_id, c.reference, c.service_id, c.status, c.closed, c.answers, \
    c.uprn, c.latitude, c.longitude, c.created_at, c.updated_at, c.due_at, \
    (SELECT e.note FROM case_events e WHERE e.council_id = c.council_id AND e.case_id = c.case_id \
     AND e.published = 1 AND e.note IS NOT NULL ORDER BY e.seq DESC LIMIT 1)";

/// The cases of `services` that match, newest first, `limit` from `offset`.
pub async fn list(
    store: &Store,
    council: CouncilId,
    filter: &PublicFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicCase>, StoreError> {
    if filter.services.is_empty() {
        return Ok(Vec::new());
    }
    // Parameters: $1 council, $2.. services, then references or the rest.
    let mut n = 1;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let services: Vec<String> = filter.services.iter().map(|_| next()).collect();
    let mut conditions = vec![format!("c.service_id IN ({})", services.join(", "))];
    if filter.references.is_empty() {
        if filter.from.is_some() {
            conditions.push(format!("c.created_at >= {}", next()));
        }
        if filter.until.is_some() {
            conditions.push(format!("c.created_at <= {}", next()));
        }
        if filter.closed.is_some() {
            conditions.push(format!("c.closed = {}", next()));
        }
    } else {
        let refs: Vec<String> = filter.references.iter().map(|_| next()).collect();
        conditions.push(format!("c.reference IN ({})", refs.join(", ")));
    }
    let text = format!(
        "SELECT {COLUMNS} FROM cases c WHERE c.council_id = $1 AND {} \
         ORDER BY c.created_at DESC, c.reference DESC LIMIT {} OFFSET {}",
        conditions.join(" AND "),
        next(),
        next()
    );
    let mut query = sql::query(&text).bind(council.to_string());
    for s in &filter.services {
        query = query.bind(s);
    }
    if filter.references.is_empty() {
        if let Some(from) = filter.from {
            query = query.bind(from.to_db());
        }
        if let Some(until) = filter.until {
            query = query.bind(until.to_db());
        }
        if let Some(closed) = filter.closed {
            query = query.bind(i64::from(closed));
        }
    } else {
        for r in &filter.references {
            query = query.bind(r);
        }
    }
    let rows = query
        .bind(limit)
        .bind(offset)
        .fetch_all(store.reader())
        .await?;
    rows.iter().map(public_case).collect()
}

fn public_case(row: &Row) -> Result<PublicCase, StoreError> {
    let decode = |e: String| StoreError::decode(e);
    let answers: Answers = serde_json::from_str(&row.try_get::<String, _>(5)?)
        .map_err(|e| decode(format!("bad answers: {e}")))?;
    let at_property = row.try_get::<Option<String>, _>(6)?.is_some();
    let position = match (
        row.try_get::<Option<f64>, _>(7)?,
        row.try_get::<Option<f64>, _>(8)?,
    ) {
        (Some(lat), Some(lon)) if at_property => Some((round3(lat), round3(lon))),
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => None,
    };
    let time = |i: usize| -> Result<Timestamp, StoreError> {
        Timestamp::parse(&row.try_get::<String, _>(i)?).map_err(|e| decode(e.to_string()))
    };
    Ok(PublicCase {
        id: row
            .try_get::<String, _>(0)?
            .parse()
            .map_err(|_| decode("bad case id".into()))?,
        reference: row.try_get(1)?,
        service: row.try_get(2)?,
        status: row.try_get(3)?,
        closed: row.try_get::<i64, _>(4)? != 0,
        answers: answers
            .into_iter()
            .filter(|(_, a)| {
                matches!(
                    a,
                    Answer::Choice(_) | Answer::Choices(_) | Answer::YesNo(_) | Answer::Number(_)
                )
            })
            .collect(),
        position,
        latest_note: row.try_get(12)?,
        created_at: time(9)?,
        updated_at: time(10)?,
        due_at: time(11)?,
    })
}

/// Rounds a coordinate to three decimal places (about 100 metres).
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A public change to a case: a status change or a published note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUpdate {
    /// The case's reference.
    pub reference: String,
    /// Its service's code.
    pub service: String,
    /// The event's number in the case's history.
    pub seq: i64,
    /// The status the case was in after it.
    pub status: String,
    /// The published note, if any.
    pub note: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// Public changes to cases of `services` between `from` and `until`, oldest
/// first, `limit` from `offset`.
pub async fn updates(
    store: &Store,
    council: CouncilId,
    services: &[String],
    (from, until): (Timestamp, Timestamp),
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicUpdate>, StoreError> {
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 4)).collect();
    let text = format!(
        "SELECT c.reference, c.service_id, e.seq, \
         (SELECT s.status FROM case_events s WHERE s.council_id = e.council_id AND s.case_id = e.case_id \
          AND s.seq <= e.seq AND s.status IS NOT NULL ORDER BY s.seq DESC LIMIT 1), \
         CASE WHEN e.published = 1 THEN e.note END, e.created_at \
         FROM case_events e JOIN cases c ON c.council_id = e.council_id AND c.case_id = e.case_id \
         WHERE e.council_id = $1 AND e.created_at >= $2 AND e.created_at <= $3 AND e.public = 1 \
         AND (e.status IS NOT NULL OR e.published = 1) AND c.service_id IN ({}) ORDER BY e.created_at, c.reference, e.seq LIMIT ${} OFFSET ${}",
        placeholders.join(", "),
        services.len() + 4,
        services.len() + 5
    );
    let mut query = sql::query(&text)
        .bind(council.to_string())
        .bind(from.to_db())
        .bind(until.to_db());
    for s in services {
        query = query.bind(s);
    }
    let rows = query
        .bind(limit)
        .bind(offset)
        .fetch_all(store.reader())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(PublicUpdate {
                reference: row.try_get(0)?,
                service: row.try_get(1)?,
                seq: row.try_get(2)?,
                status: row.try_get(3)?,
                note: row.try_get(4)?,
                at: Timestamp::parse(&row.try_get::<String, _>(5)?)
                    .map_err(|e| StoreError::decode(e.to_string()))?,
            })
        })
        .collect()
}

/// How many times the council's cases have changed. Anything read from this
/// module after it is at least as new as that count, and every change moves
/// it in the change's own transaction: a copy of an answer made at one count
/// is current while the count stays the same.
pub async fn version(store: &Store, council: CouncilId) -> Result<i64, StoreError> {
    let row: Option<(i64,)> =
        sql::query_as("SELECT changes FROM case_counters WHERE council_id = $1")
            .bind(council.to_string())
            .fetch_optional(store.reader())
            .await?;
    Ok(row.map_or(0, |(n,)| n))
}

/// The reference of the case with id `case` (Open311's token look-up).
pub async fn reference_of(
    store: &Store,
    council: CouncilId,
    case: CaseId,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sql::query_as("SELECT reference FROM cases WHERE council_id = $1 AND case_id = $2")
            .bind(council.to_string())
            .bind(case.to_string())
            .fetch_optional(store.reader())
            .await?;
    Ok(row.map(|(r,)| r))
}
