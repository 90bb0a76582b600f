//! Consent on the web: residents' data-sharing choices ([`pages`]: tick
//! boxes, time limits, history and a receipt) and the API partners ask for a
//! decision ([`api`]).

mod api;
mod pages;

use axum::routing::{get, post};
use axum::Router;
use townhall_store::Store;
use townhall_web::AppState;

/// What consent serves on each site: `/account/consent` and its pages, and
/// `POST /api/v1/consent/decisions`.
pub fn routes(_: &Store) -> Router<AppState> {
    Router::new()
        .route(
            "/account/consent",
            get(pages::overview).post(pages::save_overview),
        )
        .route("/account/consent/receipt.json", get(pages::receipt))
        .route(
            "/account/consent/{purpose}",
            get(pages::purpose_form).post(pages::save_purpose),
        )
        .route("/api/v1/consent/decisions", post(api::decision))
}
