//! Passkeys: adding one to an account, signing in with one, removing one.
//! Residents and partners' staff have them; council staff sign in with
//! passwords set by an administrator.
//!
//! The browser half of each WebAuthn ceremony runs in `assets/passkey.js`, which
//! calls the JSON endpoints here with the page's CSRF token in a header. Without
//! JavaScript these controls stay hidden and people sign in with a password.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use townhall_authz::Action;
use townhall_identity::accounts::UserKind;
use townhall_identity::passkeys::{self, PasskeyError};
use townhall_identity::permissions::PartnerAccount;
use townhall_identity::User;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use crate::account::{mailer, signed_in};
use townhall_web::auth::Visitor;
use townhall_web::client::ClientAddr;
use townhall_web::error::{ApiError, AppError};
use townhall_web::ratelimit::{Budget, Counted};
use townhall_web::AppState;

/// The body of a finishing step: the ceremony it belongs to and the browser's answer.
#[derive(Deserialize)]
pub struct Finish<C> {
    ceremony: String,
    credential: C,
}

fn bad_body(rejection: JsonRejection) -> Response {
    ApiError::bad(format!(
        "The request could not be read: {}",
        rejection.body_text()
    ))
    .with_code("invalid_body")
    .into_response()
}

/// What the script is told when a ceremony fails: why, for the person; the
/// server's own failures only that it could not answer.
fn passkey_problem(e: PasskeyError) -> Result<Response, AppError> {
    Ok(match e {
        PasskeyError::Store(e) => ApiError::internal(e),
        PasskeyError::Config(detail) => ApiError::internal(detail),
        PasskeyError::Notice(e) => ApiError::internal(e),
        e => ApiError::bad(e.to_string()),
    }
    .into_response())
}

/// The signed-in resident or partner's member of staff whose passkeys are
/// asked about, after asking the rules, and their account's page.
fn holder(v: &Visitor, action: Action) -> Result<(&User, &'static str), AppError> {
    if let Some(member) = &v.partner {
        v.require(action, &PartnerAccount(member.user.id))?;
        return Ok((&member.user, "/partner/account"));
    }
    Ok((v.resident(action)?, "/account"))
}

/// Starts adding a passkey to the signed-in person's account.
pub async fn register_start(
    State(state): State<AppState>,
    v: Visitor,
) -> Result<Response, AppError> {
    let (user, _) = holder(&v, Action::Write)?;
    match state
        .passkeys()
        .start_registration(state.store(), user)
        .await
    {
        Ok((ceremony, options)) => {
            Ok(Json(serde_json::json!({"ceremony": ceremony, "options": options})).into_response())
        }
        Err(e) => passkey_problem(e),
    }
}

/// Stores the new passkey.
pub async fn register_finish(
    State(state): State<AppState>,
    v: Visitor,
    body: Result<Json<Finish<RegisterPublicKeyCredential>>, JsonRejection>,
) -> Result<Response, AppError> {
    let (user, page) = holder(&v, Action::Write)?;
    let Json(body) = match body {
        Ok(b) => b,
        Err(r) => return Ok(bad_body(r)),
    };
    match state
        .passkeys()
        .finish_registration(
            state.store(),
            &mailer(&state),
            user,
            &body.ceremony,
            &body.credential,
        )
        .await
    {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(serde_json::json!({"redirect": format!("{page}?passkey=added")})),
        )
            .into_response()),
        Err(e) => passkey_problem(e),
    }
}

/// The challenge for any passkey this site keeps. No address is asked for,
/// so the answer is the same whoever asks and says nothing about accounts.
pub async fn sign_in_start(
    State(state): State<AppState>,
    client: ClientAddr,
) -> Result<Response, AppError> {
    // Each start is counted as an attempt (a successful finish forgives it):
    // every ceremony is one try, and its row in the store is not free.
    if !state
        .client_limits()
        .begin(Budget::Passkey, Counted::Client(client))
    {
        // The limits count the last 5 minutes.
        return Ok(ApiError::too_many(300, AppError::TooManyRequests.to_string()).into_response());
    }
    match state
        .passkeys()
        .start_sign_in(state.store(), state.council().id)
        .await
    {
        Ok((ceremony, options)) => {
            Ok(Json(serde_json::json!({"ceremony": ceremony, "options": options})).into_response())
        }
        Err(e) => passkey_problem(e),
    }
}

/// Checks the browser's signature and starts a session.
pub async fn sign_in_finish(
    State(state): State<AppState>,
    client: ClientAddr,
    body: Result<Json<Finish<PublicKeyCredential>>, JsonRejection>,
) -> Result<Response, AppError> {
    let Json(body) = match body {
        Ok(b) => b,
        Err(r) => return Ok(bad_body(r)),
    };
    // Counted when it started; each ceremony is one try.
    let user = match state
        .passkeys()
        .finish_sign_in(
            state.store(),
            state.council().id,
            &body.ceremony,
            &body.credential,
        )
        .await
    {
        Ok(u) if matches!(u.kind, UserKind::Resident | UserKind::PartnerStaff) => u,
        Ok(_) => return passkey_problem(PasskeyError::Rejected),
        Err(e) => return passkey_problem(e),
    };
    state
        .client_limits()
        .forgive(Budget::Passkey, Counted::Client(client));
    let home = match user.kind {
        UserKind::PartnerStaff => "/partner",
        _ => "/dashboard",
    };
    let mut response = Json(serde_json::json!({"redirect": home})).into_response();
    signed_in(&state, &user, &mut response).await?;
    Ok(response)
}

/// Removes one of the signed-in person's passkeys (a plain form; no script
/// needed).
pub async fn remove(
    State(state): State<AppState>,
    v: Visitor,
    Path(credential): Path<String>,
) -> Result<Response, AppError> {
    let (user, page) = holder(&v, Action::Write)?;
    if passkeys::remove(state.store(), state.council().id, user.id, &credential).await? {
        Ok(Redirect::to(&format!("{page}?passkey=removed")).into_response())
    } else {
        Err(AppError::NotFound)
    }
}
