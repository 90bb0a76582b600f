//! Sensors on the web: staff's view of the council's sensor network
//! (`/staff/sensors`), each kind of device on a map drawn on the server
//! with a table behind it that says everything the map shows
//! (`/staff/sensors/{kind}`), and the readings refused.

mod map;
mod pages;

use axum::routing::get;
use axum::Router;
use townhall_store::Store;
use townhall_web::{AppState, Served};

/// What sensors serve: staff's pages.
pub const WEB: Served = Served {
    routes,
    panels: &[],
    largest_file: 0,
    openapi: None,
};

fn routes(_: &Store) -> Router<AppState> {
    Router::new()
        .route("/staff/sensors", get(pages::overview))
        .route("/staff/sensors/{kind}", get(pages::kind))
}
