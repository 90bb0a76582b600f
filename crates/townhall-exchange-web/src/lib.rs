//! The data-exchange hub on the web: the JSON API partners call with
//! signed requests ([`api`]), under `/api/hub/v1/`.

mod api;

use axum::routing::{get, post};
use axum::Router;
use townhall_store::Store;
use townhall_web::{AppState, Served};

/// What the hub serves: its routes.
pub const WEB: Served = Served::routes(routes);

/// `/api/hub/v1/keys` (the hub's public keys),
/// `/api/hub/v1/people/search` (a signed search) and
/// `/api/hub/v1/people/{person}/{record_type}` (a signed read).
fn routes(_: &Store) -> Router<AppState> {
    Router::new()
        .route("/api/hub/v1/keys", get(api::keys))
        .route("/api/hub/v1/people/search", post(api::search))
        .route("/api/hub/v1/people/{person}/{record_type}", get(api::read))
}
