//! The device registry: each sensor the council takes readings from, its
//! kind, where it is and who owns it.

use serde::Serialize;
use townhall_places::Boundaries;
use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, Timestamp};
use townhall_waste::Collections;

use crate::kind::Kind;

/// The longest device id.
pub const MAX_ID: usize = 100;

/// A registered device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    /// Its id: the SenML name its records start with, less the final `:`
    /// (`urn:dev:riverside:LB-0042`).
    pub id: String,
    /// What it measures.
    pub kind: Kind,
    /// How staff know it ("Litter bin, Market Square").
    pub label: String,
    /// Who owns it (the council's waste team, a contractor, a partner).
    pub owner: String,
    /// Where it is.
    pub place: Place,
    /// WGS84 latitude (for a bin tag, its home's).
    pub latitude: f64,
    /// WGS84 longitude.
    pub longitude: f64,
    /// Its ward's code, when it is in one.
    pub ward: Option<String>,
    /// For a litter bin: the fill level, in percent, at which it is to be
    /// emptied; the council's default when none.
    pub threshold: Option<u8>,
    /// When it was registered.
    pub added_at: Timestamp,
}

/// Where a device is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Place {
    /// A bin tag: on a container at a home.
    Home {
        /// The home's UPRN.
        uprn: String,
        /// The container (`general`, `recycling`…) as `waste.toml` names it.
        container: String,
    },
    /// Anything else: at a point.
    Point,
}

/// A device to register.
#[derive(Debug, Clone)]
pub struct NewDevice {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Its label.
    pub label: String,
    /// Its owner.
    pub owner: String,
    /// For a bin tag, its home and container; otherwise none.
    pub home: Option<(String, String)>,
    /// For anything but a bin tag, its point (latitude, longitude).
    pub point: Option<(f64, f64)>,
    /// For a litter bin, its own threshold in percent.
    pub threshold: Option<u8>,
}

/// Why a device cannot be registered.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The id is not one SenML can carry.
    #[error("'{0}' is not a device id: up to {MAX_ID} letters, digits and - : . / _, starting with a letter or digit, not ending in ':'")]
    Id(String),
    /// Already registered.
    #[error("device '{0}' is already registered")]
    Taken(String),
    /// Not registered.
    #[error("there is no device '{0}'")]
    Unknown(String),
    /// A bin tag without its home, or another kind without its point.
    #[error("{0}")]
    Place(String),
    /// A threshold on something that is not a litter bin, or above 100.
    #[error("{0}")]
    Threshold(String),
    /// A label or owner that is empty, too long or holds what text may not.
    #[error("{0} {1}")]
    Text(&'static str, String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `id` can name a device: a SenML name that does not end in `:`.
pub fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= MAX_ID
        && !id.ends_with(':')
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "-:./_".contains(c))
}

/// What a label or owner may be: one line of at most 100 characters.
fn one_line(what: &'static str, text: &str) -> Result<String, DeviceError> {
    let text = townhall_types::text::clean(text)
        .map_err(|refusal| DeviceError::Text(what, refusal.to_string()))?;
    let line = townhall_types::text::single_line(&text);
    match line.chars().count() {
        0 => Err(DeviceError::Text(what, "must not be empty".into())),
        1..=100 => Ok(line.into_owned()),
        _ => Err(DeviceError::Text(
            what,
            "must be 100 characters or fewer".into(),
        )),
    }
}

/// Registers `new` for `council`: a bin tag at a home of the gazetteer, on
/// one of the council's containers; anything else at a point inside the
/// council's area.
pub async fn register(
    store: &Store,
    council: CouncilId,
    (boundaries, collections): (&Boundaries, &Collections),
    new: NewDevice,
) -> Result<Device, DeviceError> {
    if !valid_id(&new.id) {
        return Err(DeviceError::Id(new.id));
    }
    let label = one_line("the label", &new.label)?;
    let owner = one_line("the owner", &new.owner)?;
    match (new.kind, new.threshold) {
        (Kind::LitterBin, Some(t)) if !(1..=100).contains(&t) => {
            return Err(DeviceError::Threshold(format!(
                "a threshold is a fill level from 1 to 100 percent, not {t}"
            )))
        }
        (Kind::LitterBin, _) | (_, None) => {}
        (kind, Some(_)) => {
            return Err(DeviceError::Threshold(format!(
                "only litter bins have a threshold, not a {}",
                kind.label().to_lowercase()
            )))
        }
    }
    let (place, latitude, longitude) =
        match (new.kind, new.home, new.point) {
            (Kind::BinTag, Some((uprn, container)), None) => {
                if !collections.containers.is_empty()
                    && !collections.containers.iter().any(|c| c.id == container)
                {
                    return Err(DeviceError::Place(format!(
                        "'{container}' is not one of the council's containers ({})",
                        collections
                            .containers
                            .iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                let Some(home) = townhall_places::address(store, council, &uprn).await? else {
                    return Err(DeviceError::Place(format!(
                        "there is no address with UPRN {uprn} in the council's gazetteer"
                    )));
                };
                (
                    Place::Home { uprn, container },
                    home.latitude,
                    home.longitude,
                )
            }
            (Kind::BinTag, _, _) => return Err(DeviceError::Place(
                "a bin tag is on a container at a home: give its UPRN and container, not a point"
                    .into(),
            )),
            (_, None, Some((latitude, longitude))) => {
                if !boundaries.covers(latitude, longitude) {
                    return Err(DeviceError::Place(format!(
                        "{latitude}, {longitude} is outside the council's area"
                    )));
                }
                (Place::Point, latitude, longitude)
            }
            (kind, _, _) => {
                return Err(DeviceError::Place(format!(
                    "a {} is at a point: give its latitude and longitude, not a home",
                    kind.label().to_lowercase()
                )))
            }
        };
    let ward = boundaries
        .at(latitude, longitude)
        .ward
        .map(|w| w.code.clone());
    let device = Device {
        id: new.id,
        kind: new.kind,
        label,
        owner,
        place,
        latitude,
        longitude,
        ward,
        threshold: new.threshold,
        added_at: Timestamp::now(),
    };
    let (uprn, container) = match &device.place {
        Place::Home { uprn, container } => (Some(uprn.as_str()), Some(container.as_str())),
        Place::Point => (None, None),
    };
    let mut tx = store.begin().await?;
    let added = sql::query(
        "INSERT INTO sensor_devices (council_id, device_id, kind, label, owner, uprn, container, \
         latitude, longitude, ward, threshold, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
    )
    .bind(council.to_string())
    .bind(&device.id)
    .bind(device.kind.as_str())
    .bind(&device.label)
    .bind(&device.owner)
    .bind(uprn)
    .bind(container)
    .bind(device.latitude)
    .bind(device.longitude)
    .bind(device.ward.as_deref())
    .bind(device.threshold.map(i32::from))
    .bind(device.added_at.to_db())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if added.rows_affected() == 0 {
        return Err(DeviceError::Taken(device.id));
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(device)
}

/// Removes a device with everything it reported.
pub async fn remove(store: &Store, council: CouncilId, id: &str) -> Result<(), DeviceError> {
    let mut tx = store.begin().await?;
    for table in ["sensor_jobs", "sensor_readings", "bin_lifts"] {
        sql::query(&format!(
            "DELETE FROM {table} WHERE council_id = $1 AND device_id = $2"
        ))
        .bind(council.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    }
    let gone = sql::query("DELETE FROM sensor_devices WHERE council_id = $1 AND device_id = $2")
        .bind(council.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if gone.rows_affected() == 0 {
        return Err(DeviceError::Unknown(id.to_owned()));
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    f64,
    f64,
    Option<String>,
    Option<i32>,
    String,
);

const COLUMNS: &str = "device_id, kind, label, owner, uprn, container, latitude, longitude, \
                       ward, threshold, added_at";

/// Every device of `kind` (or of every kind), by id.
pub async fn list(
    store: &Store,
    council: CouncilId,
    kind: Option<Kind>,
) -> Result<Vec<Device>, StoreError> {
    let rows: Vec<Row> = sql::query_as(&format!(
        "SELECT {COLUMNS} FROM sensor_devices WHERE council_id = $1 \
         AND ($2 = '' OR kind = $2) ORDER BY device_id"
    ))
    .bind(council.to_string())
    .bind(kind.map_or("", Kind::as_str))
    .fetch_all(store.reader())
    .await?;
    rows.into_iter().map(device).collect()
}

/// The devices with these ids among `council`'s, in the transaction `tx`.
pub(crate) async fn some(
    tx: &mut townhall_store::Tx,
    council: CouncilId,
    ids: &[&str],
) -> Result<Vec<Device>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(200) {
        let text = format!(
            "SELECT {COLUMNS} FROM sensor_devices WHERE device_id IN ({}) AND council_id = ${}",
            townhall_store::placeholders(chunk.len(), 1),
            chunk.len() + 1
        );
        let mut query = sql::query_as(&text);
        for id in chunk {
            query = query.bind(*id);
        }
        let rows: Vec<Row> = query.bind(council.to_string()).fetch_all(&mut **tx).await?;
        for row in rows {
            found.push(device(row)?);
        }
    }
    Ok(found)
}

/// One device of `council`'s.
pub async fn get(
    store: &Store,
    council: CouncilId,
    id: &str,
) -> Result<Option<Device>, StoreError> {
    let row: Option<Row> = sql::query_as(&format!(
        "SELECT {COLUMNS} FROM sensor_devices WHERE council_id = $1 AND device_id = $2"
    ))
    .bind(council.to_string())
    .bind(id)
    .fetch_optional(store.reader())
    .await?;
    row.map(device).transpose()
}

fn device(r: Row) -> Result<Device, StoreError> {
    let kind: Kind =
        r.1.parse()
            .map_err(|_| StoreError::decode(format!("'{}' is not a kind of device", r.1)))?;
    let place = match (r.4, r.5) {
        (Some(uprn), Some(container)) => Place::Home { uprn, container },
        _ => Place::Point,
    };
    Ok(Device {
        id: r.0,
        kind,
        label: r.2,
        owner: r.3,
        place,
        latitude: r.6,
        longitude: r.7,
        ward: r.8,
        threshold: r.9.and_then(|t| u8::try_from(t).ok()),
        added_at: Timestamp::parse(&r.10).map_err(|e| StoreError::decode(e.to_string()))?,
    })
}
