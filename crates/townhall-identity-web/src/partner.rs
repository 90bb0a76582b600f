//! A partner organisation's staff: signing in to the hub's partner pages,
//! and their own account (its passkeys).

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use townhall_authz::Action;
use townhall_identity::permissions::PartnerAccount;
use townhall_identity::{passkeys, UserKind};
use townhall_types::UserId;

use crate::account::{password_sign_in, sign_in_page, SignInForm};
use townhall_web::auth::Visitor;
use townhall_web::client::ClientAddr;
use townhall_web::error::AppError;
use townhall_web::form::{Form, Query};
use townhall_web::layout::{self, page, Errors};
use townhall_web::AppState;

pub async fn sign_in_form(State(state): State<AppState>, v: Visitor) -> Markup {
    sign_in_page(
        &state,
        &v,
        &SignInForm::default(),
        &Errors::default(),
        UserKind::PartnerStaff,
    )
}

pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<SignInForm>,
) -> Result<Response, AppError> {
    password_sign_in(&state, &v, client, &f, UserKind::PartnerStaff).await
}

#[derive(Deserialize)]
pub struct AccountQuery {
    passkey: Option<String>,
}

/// Their account: who they are, and their passkeys.
pub async fn account(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<AccountQuery>,
) -> Result<Markup, AppError> {
    // Anyone else's account id, for a visitor who has none here, is
    // refused by the rules.
    let me = v.partner_for(Action::Read, |_| {
        PartnerAccount(v.partner.as_ref().map_or_else(UserId::new, |p| p.user.id))
    })?;
    let keys = passkeys::list(state.store(), state.council().id, me.user.id).await?;
    let done = match q.passkey.as_deref() {
        Some("added") => Some(
            "Passkey added. Next time you can sign in with your fingerprint, face or screen lock",
        ),
        Some("removed") => Some("Passkey removed"),
        _ => None,
    };
    Ok(page(
        &v,
        &state.council().name,
        "Your account",
        html! {
            @if let Some(done) = done { (layout::banner(true, done, html! {})) }
            h1 { "Your account" }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "Name" } dd { (me.user.display_name) } }
                div class="summary-list__row" { dt { "Email address" } dd { (me.user.email.as_str()) } }
                div class="summary-list__row" { dt { "Role" } dd { (me.role.label()) } }
            }
            (layout::passkeys(&v, &keys))
            p { "To change your password, ask the council's administrator to set a new one: passwords for these pages are never reset by email." }
            p { a href="/partner" { "Back to your organisation's page" } }
        },
    ))
}
