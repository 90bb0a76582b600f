//! The JSON API and its OpenAPI document.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use townhall_audit::{Actor, AuditEvent, Outcome};
use townhall_authz::{authorize, Action, Principal, Resource, Verdict};
use townhall_consent::{decide, DecisionRequest};
use townhall_identity::api_keys::ApiClient;
use townhall_types::{ApiScope, Timestamp, UserId};

use crate::error::{json_error, json_internal};
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

/// The API client whose key the request bears (`Authorization: Bearer KEY`),
/// if the one authorisation function lets it do `action` to the resource
/// `resource` names for it; else the JSON error to answer with.
pub(crate) async fn client(
    state: &AppState,
    headers: &HeaderMap,
    action: Action,
    resource: impl FnOnce(&ApiClient) -> Resource,
) -> Result<ApiClient, Response> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(key) = key else {
        return Err(json_error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Send an API key as 'Authorization: Bearer KEY'",
        ));
    };
    let client = match townhall_identity::api_keys::authenticate(state.store(), key).await {
        Ok(Some(c)) if c.council == state.council().id => c,
        Ok(_) => {
            return Err(json_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "The API key is not valid",
            ))
        }
        Err(e) => return Err(json_internal(e)),
    };
    if let Err(seconds) = state
        .shared
        .api_limits
        .check(&client.key_id, client.requests_per_minute)
    {
        let mut refused = json_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &format!("This API key has made more requests than it may; try again in {seconds} s"),
        );
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
        return Err(refused);
    }
    let principal = Principal::ApiClient(client.scope.clone());
    match authorize(&principal, action, &resource(&client)) {
        Verdict::Allow => Ok(client),
        _ => Err(json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!(
                "This API key is for {}, not for this",
                describe(&client.scope)
            ),
        )),
    }
}

/// What a key is for, in words.
fn describe(scope: &ApiScope) -> String {
    match scope {
        ApiScope::Services => "the council's services (Open311, consent decisions)".into(),
        ApiScope::IndexWriter { system } => {
            format!("sending the records of '{system}' to the resident index")
        }
    }
}

async fn consent_decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let client = match client(&state, &headers, Action::Read, |_| {
        Resource::ConsentDecisions
    })
    .await
    {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let req: DecisionBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "invalid_body", &e.to_string()),
    };
    let Ok(resident) = req.resident.parse::<UserId>() else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid_resident",
            "'resident' must be a resident's id (a UUID)",
        );
    };
    let at = match req.at.as_deref().map(Timestamp::parse).transpose() {
        Ok(at) => at.unwrap_or_else(Timestamp::now),
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "invalid_at", &e.to_string()),
    };
    let council = state.council().id;
    let decision = match decide(
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
    {
        Ok(d) => d,
        Err(e) => return json_internal(e),
    };
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
    if let Err(e) = townhall_audit::record(state.store(), &event).await {
        return json_internal(e);
    }
    Json(decision).into_response()
}
