//! The consent API: a partner, with a key scoped to read consent decisions,
//! asks whether a resident lets a recipient have some fields for a purpose,
//! and gets the decision the resident's choices (or the purpose's default)
//! give, recorded in the audit log as the partner's look.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_consent::{decide_for_partner, DecisionRequest};
use townhall_types::{Timestamp, UserId};
use townhall_web::caller::ApiCaller;
use townhall_web::error::ApiError;
use townhall_web::AppState;

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

/// `POST /api/v1/consent/decisions`.
pub async fn decision(
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
        state.setting::<townhall_consent::Policy>()?,
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
