//! What the stored readings say, for staff's pages and the command line:
//! each device's latest levels, a device's recent readings and lifts, and
//! what was refused.

use serde::Serialize;
use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, Timestamp};

use crate::kind::Outcome;
use crate::reading::Reason;

/// A stored level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    /// The device.
    pub device: String,
    /// What was measured.
    pub measurement: String,
    /// The value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// When it was measured.
    pub at: Timestamp,
}

/// A stored bin lift.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredLift {
    /// The bin's tag.
    pub device: String,
    /// The home.
    pub uprn: String,
    /// The round, when the vehicle said.
    pub round: Option<String>,
    /// Lifted or not presented.
    pub outcome: Outcome,
    /// When.
    pub at: Timestamp,
}

/// Readings refused under one name for one reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refused {
    /// The name they came under (a device id, a topic, or `(others)`).
    pub name: String,
    /// Why.
    pub reason: Reason,
    /// How many.
    pub readings: i64,
    /// The first and the latest.
    pub first_at: Timestamp,
    /// See `first_at`.
    pub last_at: Timestamp,
}

fn at(text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::parse(text).map_err(|e| StoreError::decode(e.to_string()))
}

type LevelRow = (String, String, f64, String, String);

fn level((device, measurement, value, unit, when): LevelRow) -> Result<Stored, StoreError> {
    Ok(Stored {
        device,
        measurement,
        value,
        unit,
        at: at(&when)?,
    })
}

/// Every device's latest value of each of its measurements, by device.
pub async fn latest(store: &Store, council: CouncilId) -> Result<Vec<Stored>, StoreError> {
    let rows: Vec<LevelRow> = sql::query_as(
        "SELECT r.device_id, r.measurement, r.value, r.unit, r.measured_at FROM sensor_readings r \
         JOIN (SELECT device_id, measurement, MAX(measured_at) AS last FROM sensor_readings \
               WHERE council_id = $1 GROUP BY device_id, measurement) l \
         ON r.device_id = l.device_id AND r.measurement = l.measurement AND r.measured_at = l.last \
         WHERE r.council_id = $1 ORDER BY r.device_id, r.measurement",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter().map(level).collect()
}

/// A device's latest `limit` levels, newest first.
pub async fn of_device(
    store: &Store,
    council: CouncilId,
    device: &str,
    limit: i64,
) -> Result<Vec<Stored>, StoreError> {
    let rows: Vec<LevelRow> = sql::query_as(
        "SELECT device_id, measurement, value, unit, measured_at FROM sensor_readings \
         WHERE council_id = $1 AND device_id = $2 ORDER BY measured_at DESC, measurement LIMIT $3",
    )
    .bind(council.to_string())
    .bind(device)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.into_iter().map(level).collect()
}

/// A bin tag's latest `limit` lifts, newest first.
pub async fn lifts_of(
    store: &Store,
    council: CouncilId,
    device: &str,
    limit: i64,
) -> Result<Vec<StoredLift>, StoreError> {
    let rows: Vec<LiftRow> = sql::query_as(
        "SELECT device_id, uprn, round_id, outcome, lifted_at FROM bin_lifts \
         WHERE council_id = $1 AND device_id = $2 ORDER BY lifted_at DESC LIMIT $3",
    )
    .bind(council.to_string())
    .bind(device)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.into_iter().map(lift).collect()
}

type LiftRow = (String, String, Option<String>, String, String);

fn lift((device, uprn, round, outcome, when): LiftRow) -> Result<StoredLift, StoreError> {
    Ok(StoredLift {
        device,
        uprn,
        round,
        outcome: Outcome::parse(&outcome)
            .ok_or_else(|| StoreError::decode(format!("'{outcome}' is not an outcome")))?,
        at: at(&when)?,
    })
}

/// A bin tag's lifts from `from` to `to` (both included), oldest first:
/// what a trigger rule's window is decided on.
pub async fn lifts_between(
    store: &Store,
    council: CouncilId,
    device: &str,
    (from, to): (Timestamp, Timestamp),
) -> Result<Vec<StoredLift>, StoreError> {
    let rows: Vec<LiftRow> = sql::query_as(
        "SELECT device_id, uprn, round_id, outcome, lifted_at FROM bin_lifts \
         WHERE council_id = $1 AND device_id = $2 AND lifted_at >= $3 AND lifted_at <= $4 \
         ORDER BY lifted_at",
    )
    .bind(council.to_string())
    .bind(device)
    .bind(from.to_db())
    .bind(to.to_db())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter().map(lift).collect()
}

/// What was refused, most recent first.
pub async fn refused(store: &Store, council: CouncilId) -> Result<Vec<Refused>, StoreError> {
    let rows: Vec<(String, String, i64, String, String)> = sql::query_as(
        "SELECT device_id, reason, readings, first_at, last_at FROM sensor_refusals \
         WHERE council_id = $1 ORDER BY last_at DESC, device_id LIMIT 200",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(name, reason, readings, first, last)| {
            Ok(Refused {
                name,
                reason: Reason::parse(&reason)
                    .ok_or_else(|| StoreError::decode(format!("'{reason}' is not a reason")))?,
                readings,
                first_at: at(&first)?,
                last_at: at(&last)?,
            })
        })
        .collect()
}

/// The bin lifts reported on one round since a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundLifts {
    /// The round (none: the vehicle did not say).
    pub round: Option<String>,
    /// Bins lifted.
    pub lifted: i64,
    /// Bins not presented.
    pub not_presented: i64,
}

/// The bin lifts reported since `since`, counted by round (the first 500
/// rounds by name): what a round did, without saying whose bin was out.
pub async fn lifts_by_round(
    store: &Store,
    council: CouncilId,
    since: Timestamp,
) -> Result<Vec<RoundLifts>, StoreError> {
    let rows: Vec<(Option<String>, i64, i64)> = sql::query_as(
        "SELECT round_id, \
         CAST(SUM(CASE WHEN outcome = 'lifted' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN outcome = 'not-presented' THEN 1 ELSE 0 END) AS BIGINT) \
         FROM bin_lifts WHERE council_id = $1 AND lifted_at >= $2 GROUP BY round_id ORDER BY round_id \
         LIMIT 500",
    )
    .bind(council.to_string())
    .bind(since.to_db())
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(round, lifted, not_presented)| RoundLifts {
            round,
            lifted,
            not_presented,
        })
        .collect())
}
