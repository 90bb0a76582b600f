//! The JSON API and its OpenAPI document.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use townhall_audit::{Actor, AuditEvent, Outcome};
use townhall_authz::{authorize, needed_scope, Action, Principal, Resource, Verdict};
use townhall_consent::{decide, DecisionRequest};
use townhall_identity::api_keys::ApiClient;
use townhall_types::{Timestamp, UserId};

use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/consent/decisions", post(consent_decision))
        .route("/api/v1/index/records", post(crate::index_api::send))
        .route(
            "/api/v1/index/records/{system}/{record_id}",
            axum::routing::delete(crate::index_api::withdraw),
        )
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../openapi.json"),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    resident: String,
    recipient: String,
    purpose: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    at: Option<String>,
}

/// An API client: the holder of a key of this council, within its rate.
/// JSON routes take it from `Authorization: Bearer KEY` as an extractor;
/// Open311 also from its `api_key` parameter ([`ApiCaller::with_key`]).
pub(crate) struct ApiCaller(pub ApiClient);

impl ApiCaller {
    /// The holder of `secret`, if it is a current key of this council and
    /// the key has requests left this minute.
    pub(crate) async fn with_key(state: &AppState, secret: &str) -> Result<Self, ApiError> {
        let client =
            townhall_identity::api_keys::authenticate(state.store(), state.council().id, secret)
                .await?
                .ok_or_else(|| {
                    ApiError::new(StatusCode::UNAUTHORIZED, "The API key is not valid")
                })?;
        state
            .shared
            .api_limits
            .check(&client.key_id, client.requests_per_minute)
            .map_err(|seconds| {
                ApiError::too_many(
                    seconds,
                    format!(
                        "This API key has made more requests than it may; try again in {seconds} s"
                    ),
                )
            })?;
        Ok(ApiCaller(client))
    }

    /// Whether the one authorisation function lets the key do `action` to
    /// `resource`; a 403 naming the scope it needs when not.
    pub(crate) fn may(&self, action: Action, resource: &Resource) -> Result<(), ApiError> {
        let principal = Principal::ApiClient(self.0.scopes.clone());
        match authorize(&principal, action, resource) {
            Verdict::Allow => Ok(()),
            _ => Err(ApiError::forbidden(match needed_scope(action, resource) {
                Some(scope) => format!(
                    "This API key has the scopes {}; this needs {scope}",
                    self.0.scopes
                ),
                None => "No API key may do this".to_owned(),
            })),
        }
    }
}

/// The key an `Authorization: Bearer KEY` header sends.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|key| !key.is_empty())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = bearer(&parts.headers).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Send an API key as 'Authorization: Bearer KEY'",
            )
        })?;
        ApiCaller::with_key(state, secret).await
    }
}

async fn consent_decision(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.may(Action::Read, &Resource::ConsentDecisions)?;
    let client = caller.0;
    let req: DecisionBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad(e.to_string()).with_code("invalid_body"))?;
    let resident = req.resident.parse::<UserId>().map_err(|_| {
        ApiError::bad("'resident' must be a resident's id (a UUID)").with_code("invalid_resident")
    })?;
    let at = match req.at.as_deref().map(Timestamp::parse).transpose() {
        Ok(at) => at.unwrap_or_else(Timestamp::now),
        Err(e) => return Err(ApiError::bad(e.to_string()).with_code("invalid_at")),
    };
    let council = state.council().id;
    let decision = decide(
        state.store(),
        &state.site.consent,
        &DecisionRequest {
            council,
            resident: Some(resident),
            recipient: &req.recipient,
            purpose: &req.purpose,
            fields: &req.fields,
            at,
        },
    )
    .await
    .map_err(ApiError::internal)?;
    let event = AuditEvent::new(
        council,
        (Actor::Partner(client.key_id.clone()), &client.name),
        townhall_audit::Action::Read,
        townhall_audit::RecordRef::Consent(resident),
    )
    .about(Some(resident))
    .fields([format!("{}/{}", req.purpose, req.recipient)])
    .purpose(format!("consent check for {}", req.purpose))
    .outcome(if decision.allow {
        Outcome::Allowed
    } else {
        Outcome::Denied
    });
    townhall_audit::record(state.store(), &event).await?;
    Ok(Json(decision).into_response())
}
