//! Reading cases back from the store.

use townhall_store::sql::Row as _;
use townhall_store::{Row, StoreError};
use townhall_types::Timestamp;

use crate::model::{Audience, Case, CaseEvent, CaseLocation, Contact};

/// The columns [`case`] reads, in order.
pub(crate) const CASE_COLUMNS: &str = "case_id, reference, service_id, status, closed, resident_id, \
    contact_name, contact_email, contact_phone, answers, uprn, address, latitude, longitude, \
    ward_code, parish_code, team_id, route_reason, assignee_id, channel, submitted_by, duplicate_of, \
    created_at, updated_at, due_at";

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::decode(format!("bad {what} '{text}'")))
}

fn time(text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::parse(text).map_err(|e| StoreError::decode(e.to_string()))
}

fn optional<T: std::str::FromStr>(
    text: Option<String>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    text.map(|t| parse(&t, what)).transpose()
}

pub(crate) fn case(row: &Row) -> Result<Case, StoreError> {
    let answers: String = row.try_get(9)?;
    let latitude: Option<f64> = row.try_get(12)?;
    let longitude: Option<f64> = row.try_get(13)?;
    let location = match (latitude, longitude) {
        (Some(latitude), Some(longitude)) => Some(CaseLocation {
            uprn: row.try_get(10)?,
            address: row.try_get(11)?,
            latitude,
            longitude,
            ward: row.try_get(14)?,
            parish: row.try_get(15)?,
        }),
        _ => None,
    };
    Ok(Case {
        id: parse(&row.try_get::<String, _>(0)?, "case id")?,
        reference: row.try_get(1)?,
        service: row.try_get(2)?,
        status: row.try_get(3)?,
        closed: row.try_get::<i64, _>(4)? != 0,
        resident: optional(row.try_get(5)?, "resident id")?,
        contact: Contact {
            name: row.try_get(6)?,
            email: row.try_get(7)?,
            phone: row.try_get(8)?,
        },
        answers: serde_json::from_str(&answers)
            .map_err(|e| StoreError::decode(format!("bad answers: {e}")))?,
        location,
        team: parse(&row.try_get::<String, _>(16)?, "team id")?,
        route_reason: row.try_get(17)?,
        assignee: optional(row.try_get(18)?, "assignee id")?,
        channel: row.try_get(19)?,
        submitted_by: optional(row.try_get(20)?, "staff id")?,
        duplicate_of: optional(row.try_get(21)?, "case id")?,
        created_at: time(&row.try_get::<String, _>(22)?)?,
        updated_at: time(&row.try_get::<String, _>(23)?)?,
        due_at: time(&row.try_get::<String, _>(24)?)?,
    })
}

pub(crate) fn event(row: &Row) -> Result<CaseEvent, StoreError> {
    Ok(CaseEvent {
        seq: row.try_get(0)?,
        kind: row.try_get(1)?,
        status: row.try_get(2)?,
        note: row.try_get(3)?,
        audience: Audience::from_flags(
            row.try_get::<i64, _>(4)? != 0,
            row.try_get::<i64, _>(5)? != 0,
        ),
        actor: row.try_get(6)?,
        at: time(&row.try_get::<String, _>(7)?)?,
    })
}
