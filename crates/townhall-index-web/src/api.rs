//! The resident index's API for the council's line-of-business systems: a
//! system sends its records as they change (one, or a batch of up to
//! [`MOST`]) and withdraws those it no longer holds. Each record is linked
//! at once, in memory and in the store, and answered with the person it
//! belongs to. A key made with `townhall admin api-key create
//! --scope index:write:SYSTEM` may do this for that system and nothing else.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_identity::api_keys::ApiClient;
use townhall_index::fields::FIELDS;
use townhall_index::live::{Arriving, By, LiveIndex, Placed};
use townhall_index::permissions::SystemRecords;
use townhall_index::records::RecordKey;
use townhall_index::IndexError;
use townhall_linkage::record::RawPerson;

use townhall_web::caller::ApiCaller;
use townhall_web::error::ApiError;
use townhall_web::AppState;

/// The most records one request may send.
pub const MOST: usize = 1000;

/// What became of one record.
#[derive(Serialize)]
struct Linked {
    system: String,
    record_id: String,
    person_id: String,
    probability: f64,
    review: usize,
}

/// The one system a key sends records for: its `index:write:SYSTEM` scope.
fn system_of(caller: &ApiCaller) -> Result<String, ApiError> {
    let systems: Vec<&str> = caller
        .0
        .scopes
        .iter()
        .filter_map(townhall_index::permissions::system_of)
        .collect();
    match systems.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(ApiError::forbidden(format!(
            "This API key has the scopes {}; sending records needs index:write:SYSTEM",
            caller.0.scopes
        ))),
        several => Err(ApiError::forbidden(format!(
            "This API key writes for several systems ({}); send each system's records with a key for that system alone",
            several.join(", ")
        ))),
    }
}

/// The key's holder and the council's index, when the one authorisation
/// function lets the key write `system`'s records and `system` is one the
/// council's systems send (never the accounts Townhall writes itself).
fn writing(
    state: &AppState,
    caller: ApiCaller,
    system: &str,
) -> Result<(ApiClient, Arc<LiveIndex>), ApiError> {
    caller.may(
        Action::Write,
        &SystemRecords {
            system: system.to_owned(),
        },
    )?;
    let live = state
        .settings()
        .get_arc::<townhall_index::live::LiveIndex>()
        .ok_or_else(no_index)?;
    townhall_index::check_sent(live.policy(), system)
        .map_err(|e| ApiError::forbidden(e.to_string()))?;
    Ok((caller.0, live))
}

fn no_index() -> ApiError {
    ApiError::not_found("This council keeps no resident index")
}

fn bad(message: &str) -> ApiError {
    ApiError::bad(message).with_code("invalid_record")
}

/// `POST /api/v1/index/records`: one record (an object) or several (an
/// array of objects).
pub async fn send(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let system = system_of(&caller)?;
    let (client, live) = writing(&state, caller, &system)?;
    let body: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad(format!("The body is not JSON: {e}")).with_code("invalid_body")
    })?;
    let (records, one) = match body {
        Value::Object(r) => (vec![r], true),
        Value::Array(items) => {
            let mut records = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(r) => records.push(r),
                    _ => return Err(bad(&format!("[{i}]: each record is an object"))),
                }
            }
            (records, false)
        }
        _ => {
            return Err(bad(
                "Send a record (an object) or several (an array of objects)",
            ))
        }
    };
    if records.is_empty() || records.len() > MOST {
        return Err(bad(&format!(
            "Send between 1 and {MOST} records at a time, not {}",
            records.len()
        )));
    }
    let declared: Vec<&str> = live
        .policy()
        .linkage
        .columns
        .iter()
        .map(|c| c.column.name.as_str())
        .collect();
    let mut arriving = Vec::with_capacity(records.len());
    let mut seen = std::collections::HashSet::new();
    for (i, record) in records.iter().enumerate() {
        let at = if one {
            String::new()
        } else {
            format!("[{i}].")
        };
        let read = match read(record, &system, &declared) {
            Ok(r) => r,
            Err(message) => return Err(bad(&format!("{at}{message}"))),
        };
        if !seen.insert(read.key.record_id.clone()) {
            return Err(bad(&format!(
                "{at}record_id: '{}' is sent twice; send each record once",
                read.key.record_id
            )));
        }
        arriving.push(read);
    }
    let by = By {
        actor: Actor::Partner(client.key_id.clone()),
        label: client.name.clone(),
    };
    let mut answers = Vec::with_capacity(arriving.len());
    for a in arriving {
        let key = a.key.clone();
        match live.arrive(state.store(), a, &by).await {
            Ok(Placed {
                person,
                probability,
                review,
            }) => answers.push(Linked {
                system: key.system,
                record_id: key.record_id,
                person_id: person.to_string(),
                probability,
                review,
            }),
            Err(e) => {
                // Records are linked one at a time: say how far it went.
                let done = answers.len();
                return Err(match e {
                    IndexError::Invalid(reason) => bad(&format!(
                        "{done} record(s) before this one were linked; then: {reason}"
                    )),
                    other => ApiError::internal(format!(
                        "{done} record(s) linked before this failure: {other}"
                    )),
                });
            }
        }
    }
    Ok(if one {
        Json(answers.remove(0)).into_response()
    } else {
        Json(serde_json::json!({ "records": answers })).into_response()
    })
}

/// A record as sent: its fields by name, each a string, a number or null.
fn read(record: &Map<String, Value>, system: &str, declared: &[&str]) -> Result<Arriving, String> {
    let mut person = RawPerson::default();
    let mut extra = std::collections::BTreeMap::new();
    let mut record_id = String::new();
    let mut further_lines = [String::new(), String::new()];
    for (field, value) in record {
        let text = match value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            _ => return Err(format!("{field}: give text, a number or null")),
        };
        match field.as_str() {
            "record_id" => record_id = text,
            "first_name" => person.first_name = text,
            "surname" => person.surname = text,
            "date_of_birth" => person.date_of_birth = text,
            "postcode" => person.postcode = text,
            "address" => person.address = text,
            "address_2" => further_lines[0] = text,
            "address_3" => further_lines[1] = text,
            "town" => person.town = text,
            "email" => person.email = text,
            "phone" => person.phone = text,
            other if declared.contains(&other) => {
                extra.insert(other.to_owned(), text);
            }
            other => {
                return Err(format!(
                    "{other}: not a field; the fields are {}, and the columns {}",
                    FIELDS
                        .iter()
                        .filter(|f| **f != "street_number")
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                    declared.join(", ")
                ))
            }
        }
    }
    if record_id.is_empty() {
        return Err("record_id: give the record's id in your system".into());
    }
    for line in further_lines.into_iter().filter(|l| !l.is_empty()) {
        person.address = format!("{}\n{line}", person.address);
    }
    Ok(Arriving {
        key: RecordKey::new(system.to_owned(), record_id),
        person,
        extra,
        account: None,
    })
}

/// `DELETE /api/v1/index/records/{system}/{record_id}`: the system no longer
/// holds the record.
pub async fn withdraw(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((system, record_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (client, live) = writing(&state, caller, &system)?;
    let by = By {
        actor: Actor::Partner(client.key_id.clone()),
        label: client.name.clone(),
    };
    let key = RecordKey::new(system, record_id);
    match live.withdraw(state.store(), &key, &by).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(IndexError::NotFound) => Err(ApiError::not_found(format!(
            "The index holds no record {key}"
        ))),
        Err(e) => Err(ApiError::internal(e)),
    }
}
