//! The hub's JSON API. Each handler reads the request as the signature sees
//! it, asks the hub, and answers in JSON signed with the hub's key: refusals
//! too, as `{"error": {"code", "message"}}`.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use townhall_exchange::hub::{self, Answer, Hub, Refusal};
use townhall_exchange::signature::{nonce, Request};
use townhall_exchange::HubKey;
use townhall_types::Timestamp;
use townhall_web::error::ApiError;
use townhall_web::AppState;

use crate::hub_of;

/// `GET /api/hub/v1/keys`: the keys the hub signs with, for partners to
/// verify its responses and webhooks.
pub async fn keys(State(state): State<AppState>) -> Result<Response, ApiError> {
    let key = state.setting::<HubKey>()?;
    Ok(Json(serde_json::json!({ "keys": [&key.published] })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadQuery {
    purpose: String,
    #[serde(default)]
    fields: Option<String>,
}

/// `GET /api/hub/v1/people/{person}/{record_type}?purpose=…&fields=…`.
pub async fn read(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path((person, record_type)): Path<(String, String)>,
    query: Result<Query<ReadQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = state.setting::<HubKey>()?;
    let pairs = header_pairs(&headers);
    let request = signed_request(&method, &uri, &headers, &pairs, &body);
    let hub = hub_of(&state)?;
    let fields = |f: &str| -> Vec<String> {
        f.split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect()
    };
    let query = match query {
        Ok(Query(q)) if q.fields.as_deref().is_some_and(|f| fields(f).is_empty()) => Err(
            "fields names no field: leave it out for every field the agreement names".to_owned(),
        ),
        Ok(Query(q)) => Ok(q),
        Err(e) => Err(format!(
            "{}: the query takes purpose (required) and fields (a comma-separated list)",
            e.body_text()
        )),
    };
    let query = match query {
        Ok(q) => q,
        Err(why) => {
            return refused(
                &hub,
                key,
                &request,
                Refusal::Unreadable("invalid_query", why),
            )
            .await
        }
    };
    let ask = hub::Read {
        person: &person,
        record_type: &record_type,
        purpose: &query.purpose,
        fields: query.fields.as_deref().map(fields),
    };
    let answer = hub::read(&hub, hub::Asking::Signed(&request), &ask, Timestamp::now())
        .await
        .map_err(ApiError::internal)?;
    answered(key, &request, answer)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    purpose: String,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
    #[serde(default)]
    date_of_birth: Option<String>,
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    nhs_number: Option<String>,
}

/// `POST /api/hub/v1/people/search`: whom the council's records hold, by
/// NHS number or by name, date of birth and postcode.
pub async fn search(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = state.setting::<HubKey>()?;
    let pairs = header_pairs(&headers);
    let request = signed_request(&method, &uri, &headers, &pairs, &body);
    let hub = hub_of(&state)?;
    let shape =
        "purpose and nhs_number, or family_name, date_of_birth and postcode (and given_name)";
    let search: SearchBody = match json_body(&hub, key, &request, shape).await {
        Ok(search) => search,
        Err(answer) => return answer,
    };
    let find = hub::Find {
        purpose: search.purpose,
        given_name: search.given_name,
        family_name: search.family_name,
        date_of_birth: search.date_of_birth,
        postcode: search.postcode,
        nhs_number: search.nhs_number,
    };
    let answer = hub::find(&hub, hub::Asking::Signed(&request), &find, Timestamp::now())
        .await
        .map_err(ApiError::internal)?;
    answered(key, &request, answer)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    purpose: String,
    fields: std::collections::BTreeMap<String, String>,
}

/// `POST /api/hub/v1/people/{person}/{record_type}`: a partner's record
/// for the council.
pub async fn send(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path((person, record_type)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = state.setting::<HubKey>()?;
    let pairs = header_pairs(&headers);
    let request = signed_request(&method, &uri, &headers, &pairs, &body);
    let hub = hub_of(&state)?;
    let shape = "purpose and fields (each field's value as text)";
    let record: SendBody = match json_body(&hub, key, &request, shape).await {
        Ok(record) => record,
        Err(answer) => return answer,
    };
    let inbound = hub::Inbound {
        person: &person,
        record_type: &record_type,
        purpose: &record.purpose,
        fields: record.fields,
    };
    let answer = hub::send(&hub, &request, &inbound, Timestamp::now())
        .await
        .map_err(ApiError::internal)?;
    answered_with(key, &request, StatusCode::CREATED, answer)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    url: String,
    #[serde(default)]
    record_types: Option<Vec<String>>,
}

/// `PUT /api/hub/v1/webhook`: where the council's messages to the partner go.
pub async fn webhook(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = state.setting::<HubKey>()?;
    let pairs = header_pairs(&headers);
    let request = signed_request(&method, &uri, &headers, &pairs, &body);
    let hub = hub_of(&state)?;
    let shape = "url, the https:// address the council's messages go to";
    let asked: WebhookBody = match json_body(&hub, key, &request, shape).await {
        Ok(asked) => asked,
        Err(answer) => return answer,
    };
    let answer = hub::subscribe(
        &hub,
        &request,
        (&asked.url, asked.record_types.as_deref()),
        Timestamp::now(),
    )
    .await
    .map_err(ApiError::internal)?;
    answered(key, &request, answer)
}

/// The request's body as JSON of a `T`, or the answer refusing it (a JSON
/// object holding `shape`), signed and audited as [`refused`] says.
async fn json_body<T: serde::de::DeserializeOwned>(
    hub: &Hub<'_>,
    key: &HubKey,
    request: &Request<'_>,
    shape: &str,
) -> Result<T, Result<Response, ApiError>> {
    match serde_json::from_slice(request.body) {
        Ok(value) => Ok(value),
        Err(e) => {
            let why = format!("{e}: the body is a JSON object with {shape}");
            Err(refused(hub, key, request, Refusal::Unreadable("invalid_body", why)).await)
        }
    }
}

/// Refuses a request whose query or body cannot be read, once its
/// signature is checked (and the refusal audited), signed.
async fn refused(
    hub: &Hub<'_>,
    key: &HubKey,
    request: &Request<'_>,
    refusal: Refusal,
) -> Result<Response, ApiError> {
    let refusal = hub::refuse(hub, request, refusal, Timestamp::now())
        .await
        .map_err(ApiError::internal)?;
    answered::<()>(key, request, Err(refusal))
}

/// The header lines whose values are text, names in lower case.
fn header_pairs(headers: &HeaderMap) -> Vec<(&str, &str)> {
    headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)))
        .collect()
}

/// The request as its signature covers it.
fn signed_request<'a>(
    method: &'a Method,
    uri: &'a axum::http::Uri,
    headers: &'a HeaderMap,
    pairs: &'a [(&'a str, &'a str)],
    body: &'a [u8],
) -> Request<'a> {
    Request {
        method: method.as_str(),
        authority: headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default(),
        path: uri.path(),
        query: uri.query(),
        headers: pairs,
        body,
    }
}

/// The hub's answer, signed: the value asked for, or the refusal.
fn answered<T: serde::Serialize>(
    key: &HubKey,
    request: &Request<'_>,
    answer: Answer<T>,
) -> Result<Response, ApiError> {
    answered_with(key, request, StatusCode::OK, answer)
}

/// As [`answered`], with `status` for the value.
fn answered_with<T: serde::Serialize>(
    key: &HubKey,
    request: &Request<'_>,
    status: StatusCode,
    answer: Answer<T>,
) -> Result<Response, ApiError> {
    match answer {
        Ok(value) => signed(
            key,
            request,
            status,
            serde_json::to_vec(&value).map_err(ApiError::internal)?,
        ),
        Err(refusal) => signed(
            key,
            request,
            StatusCode::from_u16(refusal.status()).map_err(ApiError::internal)?,
            error(refusal.code(), &refusal.message()),
        ),
    }
}

fn error(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({"error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}

/// A JSON response to `request` signed with the hub's key, over the
/// request's components too.
fn signed(
    key: &HubKey,
    request: &Request<'_>,
    status: StatusCode,
    body: Vec<u8>,
) -> Result<Response, ApiError> {
    const JSON: &str = "application/json";
    let signed = key
        .signing
        .sign_response(
            status.as_u16(),
            JSON,
            &body,
            Some(request),
            (Timestamp::now().unix_seconds(), &nonce()),
        )
        .map_err(ApiError::internal)?;
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(JSON),
    );
    for (name, value) in [
        ("content-digest", signed.content_digest),
        ("signature-input", signed.signature_input),
        ("signature", signed.signature),
    ] {
        h.insert(
            name,
            HeaderValue::from_str(&value).map_err(ApiError::internal)?,
        );
    }
    Ok(response)
}
