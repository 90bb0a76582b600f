//! What the council's systems hold of one person, field by field, for a
//! reader that may see only some fields (the data-exchange hub): only the
//! columns those fields need are read from the store.

use std::collections::BTreeMap;

use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, PersonId, UserId};

use crate::policy::IndexPolicy;

/// The accounts `person` holds, for their consent to be asked: `None` when
/// the index has no such person.
pub async fn accounts_of(
    store: &Store,
    council: CouncilId,
    person: PersonId,
) -> Result<Option<Vec<UserId>>, StoreError> {
    let rows: Vec<(Option<String>,)> = sql::query_as(
        "SELECT account_id FROM index_records WHERE council_id = $1 AND person_id = $2",
    )
    .bind(council.to_string())
    .bind(person.to_string())
    .fetch_all(store.reader())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut accounts = rows
        .into_iter()
        .filter_map(|(a,)| a)
        .map(|a| {
            a.parse()
                .map_err(|_| StoreError::decode(format!("bad account id '{a}'")))
        })
        .collect::<Result<Vec<UserId>, _>>()?;
    accounts.sort();
    accounts.dedup();
    Ok(Some(accounts))
}

/// The person of the resident index whose record `account` is linked to,
/// if any.
pub async fn person_of_account(
    store: &Store,
    council: CouncilId,
    account: UserId,
) -> Result<Option<PersonId>, StoreError> {
    let row: Option<(String,)> = sql::query_as(
        "SELECT person_id FROM index_records WHERE council_id = $1 AND account_id = $2 \
         AND person_id IS NOT NULL ORDER BY system, record_id LIMIT 1",
    )
    .bind(council.to_string())
    .bind(account.to_string())
    .fetch_optional(store.reader())
    .await?;
    row.map(|(id,)| {
        id.parse()
            .map_err(|_| StoreError::decode(format!("bad person id '{id}'")))
    })
    .transpose()
}

/// The stored columns a field is read from. A field that is none of the
/// built-in ones is a declared column of the same name.
fn columns(field: &str) -> &'static [&'static str] {
    match field {
        "name" => &["first_name", "surname"],
        "date_of_birth" => &["date_of_birth"],
        "address" => &["address", "town", "postcode"],
        "email" => &["email"],
        "phone" => &["phone"],
        _ => &["extra"],
    }
}

/// One record's stored columns, by name.
type Columns<'a> = BTreeMap<&'a str, String>;

/// The columns `fields` are read from, of each of `person`'s records, in
/// the order the index policy lists their systems.
async fn records_of<'f>(
    store: &Store,
    council: CouncilId,
    policy: &IndexPolicy,
    (person, system): (PersonId, Option<&str>),
    fields: &[&'f str],
) -> Result<Vec<Columns<'f>>, StoreError> {
    let mut wanted: Vec<&str> = vec!["system"];
    for column in fields.iter().flat_map(|f| columns(f)) {
        if !wanted.contains(column) {
            wanted.push(column);
        }
    }
    // The columns are named here, never by the caller.
    let only = if system.is_some() {
        " AND system = $3"
    } else {
        ""
    };
    let query = format!(
        "SELECT {} FROM index_records WHERE council_id = $1 AND person_id = $2{only}",
        wanted.join(", ")
    );
    let mut query = sql::query(&query)
        .bind(council.to_string())
        .bind(person.to_string());
    if let Some(system) = system {
        query = query.bind(system);
    }
    let rows = query.fetch_all(store.reader()).await?;
    let mut records = rows
        .iter()
        .map(|row| {
            use sql::Row as _;
            wanted
                .iter()
                .enumerate()
                .map(|(i, c)| Ok((*c, row.try_get::<Option<String>, _>(i)?.unwrap_or_default())))
                .collect::<Result<Columns<'_>, sql::Error>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rank = |system: &str| {
        policy
            .systems
            .iter()
            .position(|s| s.id == system)
            .unwrap_or(usize::MAX)
    };
    records.sort_by_key(|r| rank(r.get("system").map_or("", |s| s.as_str())));
    Ok(records)
}

/// `field`'s value in one record, as a reader sees it: a name or address
/// whole, a date of birth as ISO 8601 writes it.
fn value_in(record: &Columns<'_>, field: &str) -> Option<String> {
    let text = |c: &str| record.get(c).map(|v| v.trim()).filter(|v| !v.is_empty());
    match field {
        "name" => {
            let parts: Vec<&str> = [text("first_name"), text("surname")]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        "date_of_birth" => text("date_of_birth").map(|d| {
            townhall_linkage::normalise::date(d).map_or_else(|| d.to_owned(), |d| d.to_string())
        }),
        "address" => {
            let parts: Vec<&str> = [text("address"), text("town"), text("postcode")]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        "email" | "phone" => text(field).map(str::to_owned),
        declared => text("extra")
            .and_then(|json| serde_json::from_str::<BTreeMap<String, String>>(json).ok())
            .and_then(|extra| extra.get(declared).cloned())
            .filter(|v| !v.trim().is_empty()),
    }
}

/// The value of each of `fields` that `person`'s records hold: from the
/// first record, in the order the index policy lists its systems, that
/// holds one. A field no record holds is left out.
pub async fn values_of(
    store: &Store,
    council: CouncilId,
    policy: &IndexPolicy,
    person: PersonId,
    fields: &[&str],
) -> Result<BTreeMap<String, String>, StoreError> {
    let records = records_of(store, council, policy, (person, None), fields).await?;
    let mut values = BTreeMap::new();
    for field in fields {
        if let Some(value) = records.iter().find_map(|r| value_in(r, field)) {
            values.insert((*field).to_owned(), value);
        }
    }
    Ok(values)
}

/// Every value of `field` that `person`'s records in `system` hold, each
/// once: what a rule about one system's records is decided on.
pub async fn values_in(
    store: &Store,
    council: CouncilId,
    policy: &IndexPolicy,
    (person, system): (PersonId, &str),
    field: &str,
) -> Result<Vec<String>, StoreError> {
    let records = records_of(store, council, policy, (person, Some(system)), &[field]).await?;
    let mut values: Vec<String> = records.iter().filter_map(|r| value_in(r, field)).collect();
    values.sort();
    values.dedup();
    Ok(values)
}

/// Every value of `field` that `person`'s records hold, each once: what a
/// search must agree with (a date of birth, an NHS number).
pub async fn every_value(
    store: &Store,
    council: CouncilId,
    policy: &IndexPolicy,
    person: PersonId,
    field: &str,
) -> Result<Vec<String>, StoreError> {
    let records = records_of(store, council, policy, (person, None), &[field]).await?;
    let mut values: Vec<String> = records.iter().filter_map(|r| value_in(r, field)).collect();
    values.sort();
    values.dedup();
    Ok(values)
}
