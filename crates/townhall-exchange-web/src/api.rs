//! The hub's JSON API. Each handler reads the request as the signature sees
//! it, asks the hub, and answers in JSON signed with the hub's key: refusals
//! too, as `{"error": {"code", "message"}}`.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use townhall_exchange::hub::{self, Hub, Refusal};
use townhall_exchange::signature::{nonce, Request};
use townhall_exchange::{Agreements, HubKey};
use townhall_types::Timestamp;
use townhall_web::error::ApiError;
use townhall_web::AppState;

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
    let Query(query) = match query {
        Ok(q) => q,
        Err(e) => {
            return signed(
                key,
                StatusCode::BAD_REQUEST,
                error(
                    "invalid_query",
                    &format!(
                    "{}: the query takes purpose (required) and fields (a comma-separated list)",
                    e.body_text()
                ),
                ),
            )
        }
    };
    let pairs: Vec<(String, &str)> = headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?)))
        .collect();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let authority = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let request = Request {
        method: method.as_str(),
        authority,
        path: uri.path(),
        query: uri.query(),
        headers: &pairs,
        body: &body,
    };
    let hub = Hub {
        store: state.store(),
        council: state.council().id,
        consent: state.setting::<townhall_consent::Policy>()?,
        index: state.setting::<townhall_index::live::LiveIndex>()?.policy(),
        agreements: state.setting::<Agreements>()?,
    };
    let ask = hub::Read {
        person: &person,
        record_type: &record_type,
        purpose: &query.purpose,
        fields: query.fields.map(|f| {
            f.split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        }),
    };
    let answer = hub::read(&hub, &request, &ask, Timestamp::now())
        .await
        .map_err(ApiError::internal)?;
    match answer {
        Ok(released) => signed(
            key,
            StatusCode::OK,
            serde_json::to_vec(&released).map_err(ApiError::internal)?,
        ),
        Err(refusal) => signed(
            key,
            status(&refusal),
            error(refusal.code(), &refusal.message()),
        ),
    }
}

fn status(refusal: &Refusal) -> StatusCode {
    match refusal {
        r if r.unauthenticated() => StatusCode::UNAUTHORIZED,
        Refusal::UnknownPerson => StatusCode::NOT_FOUND,
        _ => StatusCode::FORBIDDEN,
    }
}

fn error(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({"error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}

/// A JSON response signed with the hub's key.
fn signed(key: &HubKey, status: StatusCode, body: Vec<u8>) -> Result<Response, ApiError> {
    const JSON: &str = "application/json";
    let signed = key
        .signing
        .sign_response(
            status.as_u16(),
            JSON,
            &body,
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
