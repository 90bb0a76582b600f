//! The JSON API and its OpenAPI document.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_consent::{decide_for_partner, DecisionRequest};
use townhall_types::{Timestamp, UserId};

use crate::caller::ApiCaller;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/consent/decisions", post(consent_decision))
        .route("/api/v1/events", get(crate::events_api::feed))
}

/// The OpenAPI document, as this council's site answers: the purposes and
/// recipients a consent question may name are those its policy declares.
async fn openapi(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut document: serde_json::Value =
        serde_json::from_str(include_str!("../openapi.json")).map_err(ApiError::internal)?;
    let policy = &state.site.consent;
    let declared = [
        (
            "purpose",
            policy
                .purposes
                .iter()
                .map(|p| p.id.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "recipient",
            policy.recipients.iter().map(|r| r.id.clone()).collect(),
        ),
    ];
    for (field, ids) in declared {
        let schema = &mut document["components"]["schemas"]["DecisionRequest"]["properties"][field];
        if let Some(schema) = schema.as_object_mut() {
            schema.insert("enum".into(), serde_json::json!(ids));
        }
    }
    Ok(Json(document).into_response())
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

async fn consent_decision(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.may(
        Action::Read,
        &townhall_consent::permissions::ConsentDecisions,
    )?;
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
    let decision = decide_for_partner(
        state.store(),
        &state.site.consent,
        &DecisionRequest {
            council: state.council().id,
            resident: Some(resident),
            recipient: &req.recipient,
            purpose: &req.purpose,
            fields: &req.fields,
            at,
        },
        (Actor::Partner(client.key_id.clone()), &client.name),
    )
    .await?
    .map_err(|e| ApiError::bad(e.to_string()).with_code("undeclared"))?;
    Ok(Json(decision).into_response())
}
