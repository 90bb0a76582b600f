//! Triggers on the web: the council's rules for its data protection officer
//! and administrators, each with its firings and a dry run over a past
//! period (`rules`); referrals worked by the partner organisation's staff
//! (`/partner/referrals`) or the team's (`/staff/referrals`) they go to,
//! accepted or declined and their outcome recorded (`referrals`); and, on
//! the resident's dashboard, what was done because of what the council
//! noticed, and why, in plain English (`resident`).

mod referrals;
mod resident;
mod rules;

use axum::routing::{get, post};
use axum::Router;
use townhall_store::Store;
use townhall_web::{AppState, Panel, Served};

/// What triggers serve.
pub const WEB: Served = Served {
    routes,
    panels: &[Panel {
        rank: 45,
        draw: resident::referrals,
    }],
    largest_file: 0,
    openapi: None,
};

fn routes(_: &Store) -> Router<AppState> {
    Router::new()
        .route("/staff/triggers", get(rules::list))
        .route("/staff/triggers/{rule}", get(rules::one))
        .route("/staff/triggers/{rule}/dry-run", post(rules::dry_run))
        .route("/partner/referrals", get(referrals::partner_list))
        .route("/partner/referrals/{id}", get(referrals::partner_one))
        .route(
            "/partner/referrals/{id}/answer",
            post(referrals::partner_answer),
        )
        .route(
            "/partner/referrals/{id}/outcome",
            post(referrals::partner_outcome),
        )
        .route("/staff/referrals", get(referrals::team_list))
        .route("/staff/referrals/{id}", get(referrals::team_one))
        .route("/staff/referrals/{id}/answer", post(referrals::team_answer))
        .route(
            "/staff/referrals/{id}/outcome",
            post(referrals::team_outcome),
        )
}
