//! The staff area.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use townhall_audit::Actor;
use townhall_authz::{Action, Resource};
use townhall_identity::{profiles, UserKind};
use townhall_types::UserId;

use crate::auth::Visitor;
use crate::client::ClientAddr;
use crate::error::AppError;
use crate::layout::{page, Errors};
use crate::pages::account::{password_sign_in, sign_in_page, SignInForm};
use crate::AppState;

pub async fn sign_in_form(State(state): State<AppState>, v: Visitor) -> Markup {
    sign_in_page(&state, &v, &SignInForm::default(), &Errors::default(), true)
}

pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<SignInForm>,
) -> Result<Response, AppError> {
    password_sign_in(&state, &v, client, &f, UserKind::Staff).await
}

pub async fn home(
    State(state): State<AppState>,
    v: Visitor,
    axum::extract::Query(filters): axum::extract::Query<crate::pages::casework::QueueQuery>,
) -> Result<Markup, AppError> {
    let me = v.staff_for(Action::Read, &Resource::StaffHome)?;
    let queue = crate::pages::casework::queue(&state, &v, me, &filters).await?;
    Ok(page(
        &v,
        &state.council().name,
        "Staff home",
        html! {
            h1 { "Staff home" }
            p class="lead" { "Signed in as " (me.label()) "." }
            h2 { "Your team's cases" }
            (queue)
            @if state.site.index.is_some() {
                div class="card" {
                    h2 { a href="/staff/index" { "Resident index" } }
                    p { "People linked across the council's systems: pairs to review, and one person seen whole when your team may." }
                }
            }
            div class="card" {
                h2 { "Looking at a resident's record" }
                p { "Every time you open a resident's record it is recorded, with the reason, and the resident can see it." }
            }
        },
    ))
}

pub async fn resident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let owner: UserId = id.parse().map_err(|_| AppError::NotFound)?;
    let me = v.staff_for(Action::Read, &Resource::ResidentRecord { owner })?;
    let council = state.council();
    let profile = profiles::read_as(
        state.store(),
        council.id,
        owner,
        Actor::Staff(me.user.id.to_string()),
        &me.label(),
        "providing a council service",
    )
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(page(&v, &council.name, "Resident record", html! {
        h1 { (profile.given_name) " " (profile.family_name) }
        p class="warning-text" { "This view has been recorded in the audit log." }
        dl class="summary-list" {
            div class="summary-list__row" { dt { "Date of birth" } dd { (profile.date_of_birth.as_deref().unwrap_or("Not known")) } }
            div class="summary-list__row" { dt { "Phone" } dd { (profile.phone.as_deref().unwrap_or("Not known")) } }
            div class="summary-list__row" { dt { "UPRN" } dd { (profile.uprn.as_deref().unwrap_or("Not known")) } }
        }
        h2 { "Make a request for this resident" }
        p { "If they cannot do it online, you can do it with them. It is recorded as made by you on their behalf." }
        ul class="list" {
            @for s in state.site.services.all() {
                li { a href={ "/services/" (s.id) "/start?for=" (owner) } { (s.name) } }
            }
        }
    })
    .into_response())
}
