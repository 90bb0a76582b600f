//! The single resident index on the web: staff's pages ([`pages`]: the
//! review queue, a person seen whole) and the API the council's
//! line-of-business systems send their records to ([`api`]).

mod api;
mod pages;

use axum::routing::{delete, get, post};
use axum::Router;
use townhall_store::Store;
use townhall_web::{AppState, Served};

/// What the resident index serves: its routes, and its API's part of the
/// OpenAPI document.
pub const WEB: Served = Served::routes(routes).with_openapi(include_str!("../openapi.json"));

/// What the resident index serves on each site: staff's pages under
/// `/staff/index` and `/staff/people`, and `/api/v1/index/records`.
fn routes(_: &Store) -> Router<AppState> {
    Router::new()
        .route("/staff/index", get(pages::home))
        .route("/staff/index/reviews", get(pages::queue))
        .route(
            "/staff/index/reviews/{id}",
            get(pages::review).post(pages::decide),
        )
        .route("/staff/people", post(pages::search))
        .route("/staff/people/{id}", get(pages::person))
        .route("/api/v1/index/records", post(api::send))
        .route(
            "/api/v1/index/records/{system}/{record_id}",
            delete(api::withdraw),
        )
}
