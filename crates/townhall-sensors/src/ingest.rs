//! Taking readings in: each pack is read as SenML, sorted by its devices,
//! and stored through the store's group commit, so packs arriving together
//! share one transaction. A reading already stored (the same device,
//! measurement and time) is not stored again and makes no event; one that
//! arrives late is stored at its own time. What is refused is counted by
//! the name it came under and why.

use std::collections::HashMap;

use townhall_events::NewEvent;
use townhall_store::{sql, Batch, Batcher, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp};

use crate::device::{self, Device, MAX_ID};
use crate::events::{BinLiftRecorded, ReadingRecorded};
use crate::reading::{self, Level, Lift, Reason};
use crate::senml;

/// The most names refused readings are counted under, per council; past
/// it, new names are counted together under [`OTHERS`], so nobody who can
/// publish can fill the store with names.
const MAX_REFUSED_NAMES: i64 = 1000;

/// Where refused readings are counted once [`MAX_REFUSED_NAMES`] are.
pub const OTHERS: &str = "(others)";

/// A pack as it arrived.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The council it was sent to.
    pub council: CouncilId,
    /// Where it came from (the MQTT topic), to count it under if it cannot
    /// be read at all.
    pub source: String,
    /// Its bytes.
    pub payload: Vec<u8>,
    /// When it arrived.
    pub received_at: Timestamp,
}

/// What became of a pack.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    /// Readings stored for the first time.
    pub stored: usize,
    /// Readings already stored.
    pub duplicates: usize,
    /// Readings refused (a pack that is not SenML counts as one).
    pub refused: usize,
}

/// The command that stores packs.
#[derive(Clone)]
pub struct Ingest(Batcher<Readings>);

impl Ingest {
    /// Stores into `store`.
    pub fn new(store: &Store) -> Self {
        Ingest(Batcher::new(store, Readings))
    }

    /// Stores `pack`; answers once it is committed.
    pub async fn take(&self, pack: Pack) -> Result<Ingested, StoreError> {
        let read = senml::parse(&pack.payload, pack.received_at);
        if let Err(e) = &read {
            tracing::debug!(source = %pack.source, error = %e, "a pack that is not SenML");
        }
        self.0
            .run(Item {
                council: pack.council,
                source: pack.source,
                received_at: pack.received_at,
                measurements: read.ok(),
            })
            .await
    }
}

/// A pack, read.
#[derive(Debug)]
struct Item {
    council: CouncilId,
    source: String,
    received_at: Timestamp,
    /// Its measurements; none when it is not SenML.
    measurements: Option<Vec<senml::Measurement>>,
}

/// The group-commit work of [`Ingest`].
struct Readings;

impl Batch for Readings {
    type Item = Item;
    type Output = Ingested;
    type Error = StoreError;

    async fn run(
        &self,
        tx: &mut Tx,
        items: &[Item],
    ) -> Result<Vec<Result<Ingested, StoreError>>, StoreError> {
        let mut events = Vec::new();
        let mut answers = Vec::with_capacity(items.len());
        for item in items {
            answers.push(Ok(one(tx, item, &mut events).await?));
        }
        townhall_events::record(tx, &events).await?;
        Ok(answers)
    }
}

async fn one(tx: &mut Tx, item: &Item, events: &mut Vec<NewEvent>) -> Result<Ingested, StoreError> {
    let Some(measurements) = &item.measurements else {
        count_refused(tx, item, &[(item.source.clone(), Reason::Unreadable)]).await?;
        return Ok(Ingested {
            refused: 1,
            ..Ingested::default()
        });
    };
    let mut ids: Vec<&str> = measurements
        .iter()
        .map(|m| reading::split(&m.name).0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let devices: Vec<Device> = device::some(tx, item.council, &ids).await?;
    let by_id: HashMap<&str, &Device> = devices.iter().map(|d| (d.id.as_str(), d)).collect();
    let sorted = reading::sort(measurements.clone(), &by_id, item.received_at);
    let levels = store_levels(tx, item, &sorted.levels).await?;
    let lifts = store_lifts(tx, item, &sorted.lifts).await?;
    count_refused(tx, item, &sorted.refused).await?;
    for level in &levels {
        let Some(device) = by_id.get(level.device.as_str()) else {
            continue;
        };
        let event = ReadingRecorded {
            device: level.device.clone(),
            kind: device.kind,
            measurement: level.measurement.to_owned(),
            value: level.value,
            unit: level.unit.to_owned(),
            measured_at: level.at,
        };
        events.push(NewEvent::of(item.council, level.at, &event).map_err(event_error)?);
    }
    for lift in &lifts {
        let event = BinLiftRecorded {
            device: lift.device.clone(),
            lifted_at: lift.at,
        };
        events.push(NewEvent::of(item.council, lift.at, &event).map_err(event_error)?);
    }
    let stored = levels.len() + lifts.len();
    Ok(Ingested {
        stored,
        duplicates: sorted.levels.len() + sorted.lifts.len() - stored,
        refused: sorted.refused.len(),
    })
}

fn event_error(e: townhall_events::EventError) -> StoreError {
    StoreError::decode(e.to_string())
}

/// Rows per multi-row insert: well under either store's limit on parameters.
const ROWS: usize = 100;

/// Stores the levels not yet stored; returns those it stored.
async fn store_levels<'a>(
    tx: &mut Tx,
    item: &Item,
    levels: &'a [Level],
) -> Result<Vec<&'a Level>, StoreError> {
    let mut stored = Vec::new();
    for chunk in levels.chunks(ROWS) {
        let text = format!(
            "INSERT INTO sensor_readings (council_id, device_id, measurement, measured_at, value, unit, received_at) \
             VALUES {} ON CONFLICT DO NOTHING RETURNING device_id, measurement, measured_at",
            townhall_store::placeholders(chunk.len(), 7)
        );
        let mut query = sql::query_as(&text);
        for l in chunk {
            query = query
                .bind(item.council.to_string())
                .bind(&l.device)
                .bind(l.measurement)
                .bind(l.at.to_db())
                .bind(l.value)
                .bind(l.unit)
                .bind(item.received_at.to_db());
        }
        let new: Vec<(String, String, String)> = query.fetch_all(&mut **tx).await?;
        stored.extend(chunk.iter().filter(|l| {
            new.iter()
                .any(|(d, m, at)| *d == l.device && m == l.measurement && *at == l.at.to_db())
        }));
    }
    Ok(first_of_each(stored, |l| {
        (l.device.as_str(), l.measurement, l.at)
    }))
}

/// Stores the lifts not yet stored; returns those it stored.
async fn store_lifts<'a>(
    tx: &mut Tx,
    item: &Item,
    lifts: &'a [Lift],
) -> Result<Vec<&'a Lift>, StoreError> {
    let mut stored = Vec::new();
    for chunk in lifts.chunks(ROWS) {
        let text = format!(
            "INSERT INTO bin_lifts (council_id, device_id, lifted_at, uprn, round_id, outcome, received_at) \
             VALUES {} ON CONFLICT DO NOTHING RETURNING device_id, lifted_at",
            townhall_store::placeholders(chunk.len(), 7)
        );
        let mut query = sql::query_as(&text);
        for l in chunk {
            query = query
                .bind(item.council.to_string())
                .bind(&l.device)
                .bind(l.at.to_db())
                .bind(&l.uprn)
                .bind(l.round.as_deref())
                .bind(l.outcome.as_str())
                .bind(item.received_at.to_db());
        }
        let new: Vec<(String, String)> = query.fetch_all(&mut **tx).await?;
        stored.extend(chunk.iter().filter(|l| {
            new.iter()
                .any(|(d, at)| *d == l.device && *at == l.at.to_db())
        }));
    }
    Ok(first_of_each(stored, |l| (l.device.as_str(), "", l.at)))
}

/// The first of the readings with one key: a pack that holds one reading
/// twice had it stored once.
fn first_of_each<'a, T, K: PartialEq>(all: Vec<&'a T>, key: impl Fn(&'a T) -> K) -> Vec<&'a T> {
    let mut kept: Vec<&'a T> = Vec::with_capacity(all.len());
    for r in all {
        if !kept.iter().any(|k| key(k) == key(r)) {
            kept.push(r);
        }
    }
    kept
}

/// Counts refused readings by the name they came under and why.
async fn count_refused(
    tx: &mut Tx,
    item: &Item,
    refused: &[(String, Reason)],
) -> Result<(), StoreError> {
    if refused.is_empty() {
        return Ok(());
    }
    let mut counts: HashMap<(String, Reason), i64> = HashMap::new();
    for (name, reason) in refused {
        let name: String = name.chars().take(MAX_ID).collect();
        *counts.entry((name, *reason)).or_default() += 1;
    }
    let council = item.council.to_string();
    let at = item.received_at.to_db();
    let (mut names,): (i64,) =
        sql::query_as("SELECT COUNT(*) FROM sensor_refusals WHERE council_id = $1")
            .bind(&council)
            .fetch_one(&mut **tx)
            .await?;
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort();
    for ((name, reason), readings) in counts {
        let updated = sql::query(
            "UPDATE sensor_refusals SET readings = readings + $1, last_at = $2 \
             WHERE council_id = $3 AND device_id = $4 AND reason = $5",
        )
        .bind(readings)
        .bind(&at)
        .bind(&council)
        .bind(&name)
        .bind(reason.as_str())
        .execute(&mut **tx)
        .await?;
        if updated.rows_affected() > 0 {
            continue;
        }
        let name = if names < MAX_REFUSED_NAMES {
            names += 1;
            name
        } else {
            OTHERS.to_owned()
        };
        sql::query(
            "INSERT INTO sensor_refusals (council_id, device_id, reason, readings, first_at, last_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (council_id, device_id, reason) \
             DO UPDATE SET readings = sensor_refusals.readings + excluded.readings, last_at = excluded.last_at",
        )
        .bind(&council)
        .bind(&name)
        .bind(reason.as_str())
        .bind(readings)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
