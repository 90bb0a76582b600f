//! The platform's JSON API: its OpenAPI document and the event feed. Each
//! capability's endpoints are in its web crate.

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(crate::openapi::document))
        .route("/api/v1/events", get(crate::events_api::feed))
}
