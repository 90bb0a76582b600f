//! Consent on the web: residents' data-sharing choices ([`pages`]: tick
//! boxes, time limits, history and a receipt) and the API partners ask for a
//! decision ([`api`]).

mod api;
mod pages;

use axum::routing::{get, post};
use axum::Router;
use maud::html;
use townhall_identity::User;
use townhall_store::Store;
use townhall_web::{layout, AppState, Drawing, Panel, Served};

/// What consent serves: its routes, the resident's choices on the
/// dashboard, and its API's part of the OpenAPI document.
pub const WEB: Served = Served {
    routes,
    panels: &[Panel {
        rank: 40,
        draw: choices,
    }],
    largest_file: 0,
    openapi: Some(include_str!("../openapi.json")),
};

/// The resident's data-sharing choices, on their dashboard.
fn choices<'a>(state: &'a AppState, user: &'a User) -> Drawing<'a> {
    Box::pin(async move {
        let history = townhall_consent::history(state.store(), state.council().id, user.id).await?;
        Ok(html! {
            div class="card" {
                h2 { "Your data-sharing choices" }
                @if history.is_empty() {
                    (layout::empty("You have not made any choices yet. The council's defaults apply."))
                } @else {
                    p { "You have made " (history.len()) " choice" @if history.len() != 1 { "s" } " about sharing your information." }
                }
                p { a href="/account/consent" { "Choose who can see your information" } }
            }
        })
    })
}

/// What consent serves on each site: `/account/consent` and its pages, and
/// `POST /api/v1/consent/decisions`.
fn routes(_: &Store) -> Router<AppState> {
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
