//! The index's records in the store: people as each source system holds
//! them, imported (added or brought up to date) a system at a time, and the
//! person each was last linked to.

use std::collections::BTreeMap;
use std::fmt;

use townhall_linkage::column::Column;
use townhall_linkage::record::RawPerson;
use townhall_store::{sql, Row, Store, StoreError, Tx};
use townhall_types::{CouncilId, PersonId, Timestamp, UserId};

use crate::settings::{Active, LinkSettings};
use crate::IndexError;

/// A record's identity: the system holding it and its id there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    /// The source system's id, e.g. `council_tax`.
    pub system: String,
    /// The record's id in that system.
    pub record_id: String,
}

impl RecordKey {
    /// The record `record_id` of `system`.
    pub fn new(system: String, record_id: String) -> Self {
        RecordKey { system, record_id }
    }

    /// Reads `system:record_id`.
    pub fn parse(text: &str) -> Option<Self> {
        let (system, record_id) = text.split_once(':')?;
        (!system.is_empty() && !record_id.is_empty()).then(|| RecordKey {
            system: system.to_owned(),
            record_id: record_id.to_owned(),
        })
    }
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.system, self.record_id)
    }
}

/// A record to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// Its id in its system.
    pub record_id: String,
    /// The person as the system holds them.
    pub person: RawPerson,
    /// The resident's Townhall account, when the record is one.
    pub account: Option<UserId>,
}

/// A record as the index holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// Which record.
    pub key: RecordKey,
    /// The person as the system holds them (without the columns beyond
    /// the built-in fields until [`with_columns`] puts them in).
    pub person: RawPerson,
    /// The values of its columns beyond the built-in fields, by name.
    pub extra: BTreeMap<String, String>,
    /// The resident's Townhall account, when the record is one.
    pub account: Option<UserId>,
    /// The person it was last linked to (none before the first run).
    pub person_id: Option<PersonId>,
    /// Its best match probability within that person.
    pub probability: Option<f64>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    /// Records new to the index.
    pub added: usize,
    /// Records already there, brought up to date.
    pub updated: usize,
}

/// Adds `records` of `system` to the index, or updates those it holds; each
/// record's [`RawPerson::extra`] holds the values of `columns`. The person
/// each was linked to stays until the next run. Refused, with nothing
/// written, when a record has no id or two records share one: the second
/// would silently replace the first.
pub async fn import(
    tx: &mut Tx,
    council: CouncilId,
    system: &str,
    columns: &[Column],
    records: &[NewRecord],
) -> Result<Imported, IndexError> {
    let mut seen = std::collections::HashMap::new();
    for (n, r) in records.iter().enumerate() {
        if r.record_id.trim().is_empty() {
            return Err(IndexError::Invalid(format!(
                "record {} of {system} has no id",
                n + 1
            )));
        }
        if let Some(first) = seen.insert(r.record_id.as_str(), n) {
            return Err(IndexError::Invalid(format!(
                "records {} and {} of {system} both have the id '{}'",
                first + 1,
                n + 1,
                r.record_id
            )));
        }
    }
    let council = council.to_string();
    let now = Timestamp::now().to_db();
    let mut done = Imported::default();
    for r in records {
        let known: Option<(String,)> = sql::query_as(
            "SELECT record_id FROM index_records WHERE council_id = $1 AND system = $2 AND record_id = $3",
        )
        .bind(&council)
        .bind(system)
        .bind(&r.record_id)
        .fetch_optional(&mut **tx)
        .await?;
        let p = &r.person;
        let extra: BTreeMap<&str, &str> = columns
            .iter()
            .zip(&p.extra)
            .filter(|(_, v)| !v.is_empty())
            .map(|(c, v)| (c.name.as_str(), v.as_str()))
            .collect();
        let statement = if known.is_some() {
            done.updated += 1;
            "UPDATE index_records SET first_name = $4, surname = $5, date_of_birth = $6, \
             postcode = $7, address = $8, email = $9, phone = $10, account_id = $11, imported_at = $12, \
             search_key = $13, town = $14, extra = $15 \
             WHERE council_id = $1 AND system = $2 AND record_id = $3"
        } else {
            done.added += 1;
            "INSERT INTO index_records (council_id, system, record_id, first_name, surname, \
             date_of_birth, postcode, address, email, phone, account_id, imported_at, search_key, town, extra) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        };
        sql::query(statement)
            .bind(&council)
            .bind(system)
            .bind(&r.record_id)
            .bind(&p.first_name)
            .bind(&p.surname)
            .bind(&p.date_of_birth)
            .bind(&p.postcode)
            .bind(&p.address)
            .bind(&p.email)
            .bind(&p.phone)
            .bind(r.account.map(|a| a.to_string()))
            .bind(&now)
            .bind(search_key(&p.surname, &p.date_of_birth))
            .bind(&p.town)
            .bind(serde_json::to_string(&extra).unwrap_or_else(|_| "{}".into()))
            .execute(&mut **tx)
            .await?;
    }
    Ok(done)
}

/// What a person is found by: their surname and date of birth, normalised,
/// so that "O'Brien, 03/02/1980" finds "OBRIEN, 1980-02-03".
pub fn search_key(surname: &str, date_of_birth: &str) -> String {
    let date = townhall_linkage::normalise::date(date_of_birth)
        .map(|d| d.to_string())
        .unwrap_or_default();
    format!("{}|{date}", townhall_linkage::normalise::name(surname))
}

/// The persons with a record of this surname and date of birth. Only their
/// ids: which systems hold them is for the single view to show, if the
/// purpose allows it.
pub async fn find(
    store: &Store,
    council: CouncilId,
    surname: &str,
    date_of_birth: &str,
) -> Result<Vec<PersonId>, StoreError> {
    let rows: Vec<(String,)> = sql::query_as(
        "SELECT DISTINCT person_id FROM index_records \
         WHERE council_id = $1 AND search_key = $2 AND person_id IS NOT NULL ORDER BY person_id",
    )
    .bind(council.to_string())
    .bind(search_key(surname, date_of_birth))
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(person,)| {
            person
                .parse()
                .map_err(|_| StoreError::decode(format!("bad person id '{person}'")))
        })
        .collect()
}

const COLUMNS: &str = "system, record_id, first_name, surname, date_of_birth, postcode, address, \
                       email, phone, account_id, person_id, probability, town, extra";

fn stored(row: &Row) -> Result<StoredRecord, StoreError> {
    use sql::Row as _;
    Ok(StoredRecord {
        key: RecordKey {
            system: row.try_get(0)?,
            record_id: row.try_get(1)?,
        },
        person: RawPerson {
            first_name: row.try_get(2)?,
            surname: row.try_get(3)?,
            date_of_birth: row.try_get(4)?,
            postcode: row.try_get(5)?,
            address: row.try_get(6)?,
            email: row.try_get(7)?,
            phone: row.try_get(8)?,
            town: row.try_get(12)?,
            extra: Vec::new(),
        },
        extra: {
            let text: String = row.try_get(13)?;
            // The values are people's: the error does not repeat them.
            serde_json::from_str(&text).map_err(|_| {
                StoreError::decode("an index record's columns are not a JSON object")
            })?
        },
        account: parse_id(row.try_get(9)?, "account id")?,
        person_id: parse_id(row.try_get(10)?, "person id")?,
        probability: row.try_get(11)?,
    })
}

fn parse_id<T: std::str::FromStr>(
    text: Option<String>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    text.map(|t| {
        t.parse()
            .map_err(|_| StoreError::decode(format!("bad {what} '{t}'")))
    })
    .transpose()
}

/// The declared columns any of `records` has a value of, in the
/// settings' order, with their comparisons and rules.
pub fn active(records: &[StoredRecord], settings: &LinkSettings) -> Active {
    let present: Vec<&str> = settings
        .columns
        .iter()
        .map(|c| c.column.name.as_str())
        .filter(|name| records.iter().any(|r| r.extra.contains_key(*name)))
        .collect();
    settings.active(&present)
}

/// Puts the values of `columns` in each record's [`RawPerson::extra`],
/// in their order.
pub fn with_columns(records: &mut [StoredRecord], columns: &[Column]) {
    for r in records {
        r.person.extra = columns
            .iter()
            .map(|c| r.extra.get(&c.name).cloned().unwrap_or_default())
            .collect();
    }
}

/// Every record of the council, in system and record order.
pub async fn all(store: &Store, council: CouncilId) -> Result<Vec<StoredRecord>, StoreError> {
    let rows = sql::query(&format!(
        "SELECT {COLUMNS} FROM index_records WHERE council_id = $1 ORDER BY system, record_id"
    ))
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(stored).collect()
}

/// The records linked to `person`.
pub(crate) async fn of_person(
    store: &Store,
    council: CouncilId,
    person: PersonId,
) -> Result<Vec<StoredRecord>, StoreError> {
    let rows = sql::query(&format!(
        "SELECT {COLUMNS} FROM index_records WHERE council_id = $1 AND person_id = $2 \
         ORDER BY system, record_id"
    ))
    .bind(council.to_string())
    .bind(person.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(stored).collect()
}

/// One record.
pub(crate) async fn one(
    store: &Store,
    council: CouncilId,
    key: &RecordKey,
) -> Result<Option<StoredRecord>, StoreError> {
    let row = sql::query(&format!(
        "SELECT {COLUMNS} FROM index_records WHERE council_id = $1 AND system = $2 AND record_id = $3"
    ))
    .bind(council.to_string())
    .bind(&key.system)
    .bind(&key.record_id)
    .fetch_optional(store.reader())
    .await?;
    row.as_ref().map(stored).transpose()
}

/// How many records each system holds, and how many persons they make.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Records per system, in system order.
    pub systems: Vec<(String, i64)>,
    /// Persons found by the last run.
    pub persons: i64,
}

/// The index's size.
pub async fn counts(store: &Store, council: CouncilId) -> Result<Counts, StoreError> {
    let systems: Vec<(String, i64)> = sql::query_as(
        "SELECT system, COUNT(*) FROM index_records WHERE council_id = $1 GROUP BY system ORDER BY system",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    let (persons,): (i64,) =
        sql::query_as("SELECT COUNT(DISTINCT person_id) FROM index_records WHERE council_id = $1")
            .bind(council.to_string())
            .fetch_one(store.reader())
            .await?;
    Ok(Counts { systems, persons })
}
