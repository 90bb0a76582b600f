//! The platform's JSON API: its OpenAPI document and the event feed. Each
//! capability's endpoints are in its web crate.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/events", get(crate::events_api::feed))
}

/// The OpenAPI document, as this council's site answers: the purposes and
/// recipients a consent question may name are those its policy declares.
async fn openapi(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut document: serde_json::Value =
        serde_json::from_str(include_str!("../openapi.json")).map_err(ApiError::internal)?;
    let policy: &townhall_consent::Policy = state.setting()?;
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
