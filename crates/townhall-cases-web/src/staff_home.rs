//! The staff home: the team's queue, and the ways into the rest of the staff area.

use axum::extract::State;
use maud::{html, Markup};
use townhall_audit::permissions::AuditLog;
use townhall_authz::Action;
use townhall_exchange::permissions::HubAdministration;
use townhall_identity::break_glass;
use townhall_identity::permissions::StaffArea;
use townhall_sensors::permissions::SensorNetwork;
use townhall_triggers::firing::team_recipient;
use townhall_triggers::permissions::{Referrals, TriggerRules};

use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Query;
use townhall_web::layout::page;
use townhall_web::AppState;

/// The staff home.
pub async fn home(
    State(state): State<AppState>,
    v: Visitor,
    Query(filters): Query<super::casework::QueueQuery>,
) -> Result<Markup, AppError> {
    let me = v.staff_for(Action::Read, &StaffArea)?;
    let queue = super::casework::queue(&state, &v, me, &filters).await?;
    let to_review = if v.require(Action::Read, &AuditLog).is_ok() {
        break_glass::to_review(state.store(), state.council().id)
            .await?
            .len()
    } else {
        0
    };
    let hub = v.require(Action::Read, &HubAdministration).is_ok();
    let sensors = v.require(Action::Read, &SensorNetwork).is_ok();
    let rules = v.require(Action::Read, &TriggerRules).is_ok();
    let team_referrals = me
        .team
        .as_ref()
        .map(|t| team_recipient(t.id))
        .is_some_and(|to| v.require(Action::Read, &Referrals { to: &to }).is_ok());
    Ok(page(
        &v,
        &state.council().name,
        "Staff home",
        html! {
            h1 { "Staff home" }
            p class="lead" { "Signed in as " (me.label()) "." }
            h2 { "Your team's cases" }
            (queue)
            @if state.settings().get::<townhall_index::live::LiveIndex>().is_some() {
                div class="card" {
                    h2 { a href="/staff/index" { "Resident index" } }
                    p { "People linked across the council's systems: pairs to review, and one person seen whole when your team may." }
                }
            }
            @if hub {
                div class="card" {
                    h2 { "Data-exchange hub" }
                    p { a href="/staff/hub/partners" { "Partners" } ": the organisations the council shares information with, and registering one." }
                    p { a href="/staff/hub/dead-letters" { "Messages not delivered" } ": what partners' addresses did not take, to send again." }
                }
            }
            @if sensors {
                div class="card" {
                    h2 { a href="/staff/sensors" { "Sensors" } }
                    p { "Litter bins, air-quality and noise monitors on a map with their latest readings, the bin lifts each round reported, and readings refused." }
                }
            }
            @if rules {
                div class="card" {
                    h2 { a href="/staff/triggers" { "Trigger rules" } }
                    p { "What each rule watches for, whom it referred and what came of it, and dry runs over past weeks." }
                }
            }
            @if team_referrals {
                div class="card" {
                    h2 { a href="/staff/referrals" { "Referrals to your team" } }
                    p { "People the council's trigger rules referred to your team, to accept or decline and record what happened." }
                }
            }
            @if to_review > 0 {
                div class="card" {
                    h2 { a href="/staff/break-glass" { "Records seen for a stated reason" } }
                    p { (to_review) " to review." }
                }
            }
            div class="card" {
                h2 { a href="/staff/residents" { "Find a resident" } }
                p { "By name, date of birth or postcode." }
            }
            div class="card" {
                h2 { "Looking at a resident's record" }
                p { "You see a resident's record when they have an open request with your team, or, if you need to otherwise, after giving a reason. Every look is recorded with its reason, and the resident can see it." }
            }
        },
    ))
}
