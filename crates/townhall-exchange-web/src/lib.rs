//! The data-exchange hub on the web: the JSON API partners call with
//! signed requests ([`api`]), under `/api/hub/v1/`; the pages partners'
//! staff use, under `/partner` ([`partner`]); the public register of the
//! council's data-sharing agreements ([`register`]), `/data-sharing`; and
//! the council's partners and the messages to them that could not be
//! delivered ([`staff`]).

mod api;
mod partner;
mod register;
mod staff;

use axum::routing::{get, post, put};
use axum::Router;
use townhall_exchange::hub::Hub;
use townhall_exchange::Agreements;
use townhall_kernel::Missing;
use townhall_store::Store;
use townhall_web::{AppState, Served};

/// What the hub serves: its routes, and its API's part of the OpenAPI
/// document.
pub const WEB: Served = Served::routes(routes).with_openapi(include_str!("../openapi.json"));

/// `/data-sharing` and each agreement's page (and their JSON),
/// `/api/hub/v1/keys` (the hub's public keys),
/// `/api/hub/v1/people/search` (a signed search), `/api/hub/v1/webhook`
/// (where the council's messages to the partner go) and
/// `/api/hub/v1/people/{person}/{record_type}` (a signed read, or a
/// partner's record for the council); the partner pages `/partner`,
/// `/partner/find`, `/partner/people/{person}/{record_type}` and
/// `/partner/history`.
fn routes(_: &Store) -> Router<AppState> {
    Router::new()
        .route("/data-sharing", get(register::list))
        .route("/data-sharing.json", get(register::list_json))
        .route("/data-sharing/{id}", get(register::one))
        .route("/partner", get(partner::home))
        .route("/partner/find", get(partner::find_form).post(partner::find))
        .route(
            "/partner/people/{person}/{record_type}",
            post(partner::read),
        )
        .route("/partner/history", get(partner::history))
        .route(
            "/staff/hub/partners",
            get(staff::partners).post(staff::register),
        )
        .route("/staff/hub/partners/{id}", get(staff::partner))
        .route(
            "/staff/hub/partners/{id}/staff/remove",
            post(staff::remove_staff),
        )
        .route("/staff/hub/dead-letters", get(staff::dead_letters))
        .route("/staff/hub/dead-letters/{id}", post(staff::send_again))
        .route("/api/hub/v1/keys", get(api::keys))
        .route("/api/hub/v1/people/search", post(api::search))
        .route("/api/hub/v1/webhook", put(api::webhook))
        .route(
            "/api/hub/v1/people/{person}/{record_type}",
            get(api::read).post(api::send),
        )
}

/// What the hub decides with, from the site's settings.
fn hub_of(state: &AppState) -> Result<Hub<'_>, Missing> {
    Ok(Hub {
        store: state.store(),
        council: state.council().id,
        consent: state.setting::<townhall_consent::Policy>()?,
        index: state.setting::<townhall_index::live::LiveIndex>()?,
        agreements: state.setting::<Agreements>()?,
    })
}
