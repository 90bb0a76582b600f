//! The pages an emailed link opens, where a password is chosen: at the end
//! of signing up (which confirms the address), and a reset. Choosing the
//! password there, not on the sign-up form, means only whoever reads the
//! mailbox can ever sign in, so nobody can sign up with someone else's
//! address and keep a way into the account it becomes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_identity::accounts::{self, UserKind};
use townhall_identity::tokens::{self, TokenError, TokenPurpose};
use townhall_identity::{password, profiles, recovery};
use townhall_types::UserId;

use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::{Form, Query};
use townhall_web::layout::{self, csrf, error_summary, page, Errors, Input};
use townhall_web::AppState;

/// Which link: the one sent at sign-up, or a reset.
#[derive(Debug, Clone, Copy)]
enum Link {
    SignUp,
    Reset,
}

impl Link {
    fn purpose(self) -> TokenPurpose {
        match self {
            Link::SignUp => TokenPurpose::VerifyEmail,
            Link::Reset => TokenPurpose::ResetPassword,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Link::SignUp => "/verify-email",
            Link::Reset => "/reset-password",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Link::SignUp => "Choose a password",
            Link::Reset => "Choose a new password",
        }
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// A password chosen with an emailed link.
#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// The sign-up link: the form to choose a password.
pub async fn verify_email(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    open(&state, &v, Link::SignUp, &q.token).await
}

/// A reset link: the form to choose a new password.
pub async fn reset_form(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    open(&state, &v, Link::Reset, &q.token).await
}

/// The form, if the link can be used now; why not, if not.
async fn open(
    state: &AppState,
    v: &Visitor,
    link: Link,
    token: &str,
) -> Result<Response, AppError> {
    let valid = tokens::peek(state.store(), state.council().id, token, link.purpose()).await?;
    Ok(match valid {
        Ok(()) => form_page(state, v, link, token, &Errors::default()).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, refused(state, v, link, e)).into_response(),
    })
}

fn form_page(state: &AppState, v: &Visitor, link: Link, token: &str, errors: &Errors) -> Markup {
    page(
        v,
        &state.council().name,
        &layout::title(errors, link.heading()),
        html! {
            (error_summary(errors))
            h1 { (link.heading()) }
            @if let Link::SignUp = link {
                p { "Your email address is confirmed when you save your password." }
            }
            form method="post" action=(link.action()) novalidate {
                (csrf(v))
                input type="hidden" name="token" value=(token);
                (Input { name: "password", label: match link { Link::SignUp => "Create a password", Link::Reset => "New password" }, kind: "password", value: "", hint: Some("At least 8 characters. Three random words is a good way to make a strong password"), autocomplete: Some("new-password") }.render(errors))
                button class="button" type="submit" { (match link { Link::SignUp => "Create account", Link::Reset => "Save password" }) }
            }
        },
    )
}

/// Why a link cannot be used, and what to do instead.
fn refused(state: &AppState, v: &Visitor, link: Link, e: TokenError) -> Markup {
    let title = match (link, &e) {
        (Link::SignUp, TokenError::Used) => "Your email address is already confirmed",
        (Link::SignUp, _) => "We could not confirm your email address",
        (Link::Reset, _) => "This link cannot be used",
    };
    let body = match (link, e) {
        (Link::SignUp, TokenError::Used) => html! {
            h1 { "Your email address is already confirmed" }
            p { "This link has been used, so your account is ready." }
            a class="button" href="/sign-in" role="button" { "Sign in" }
        },
        (Link::SignUp, e) => html! {
            h1 { "We could not confirm your email address" }
            p { (e.to_string()) }
            p { "To get a new link, " a href="/forgot-password" { "reset your password" } ": the link we send also confirms your address." }
        },
        (Link::Reset, e) => html! {
            h1 { "This link cannot be used" }
            p { (e.to_string()) }
            p { a href="/forgot-password" { "Ask for a new link" } }
        },
    };
    page(v, &state.council().name, title, body)
}

/// The chosen password's hash, or the form again with why it cannot be used.
async fn hashed(
    state: &AppState,
    v: &Visitor,
    link: Link,
    f: &PasswordForm,
) -> Result<String, Response> {
    if let Err(e) = password::check_rules(&f.password) {
        let mut errors = Errors::default();
        errors.push("password", e.to_string());
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(state, v, link, &f.token, &errors),
        )
            .into_response());
    }
    Ok(password::hash_async(f.password.clone()).await)
}

/// Saves the password chosen with the sign-up link: the account is ready.
pub async fn choose_password(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let hash = match hashed(&state, &v, Link::SignUp, &f).await {
        Ok(hash) => hash,
        Err(page) => return Ok(page),
    };
    match recovery::confirm_email(state.store(), state.council().id, &f.token, &hash).await? {
        Ok(user) => {
            link_account(&state, user).await;
            Ok(page(&v, &state.council().name, "Your account is ready", html! {
                (layout::banner(true, "Your email address is confirmed", html! { p { "You can now sign in with your password." } }))
                h1 { "Your account is ready" }
                a class="button" href="/sign-in" role="button" { "Sign in" }
            })
            .into_response())
        }
        Err(e) => Ok((
            StatusCode::BAD_REQUEST,
            refused(&state, &v, Link::SignUp, e),
        )
            .into_response()),
    }
}

/// Saves the password chosen with a reset link.
pub async fn reset(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let hash = match hashed(&state, &v, Link::Reset, &f).await {
        Ok(hash) => hash,
        Err(page) => return Ok(page),
    };
    let done =
        match recovery::reset_password(state.store(), state.council().id, &f.token, &hash).await? {
            Ok(done) => done,
            Err(e) => return Err(AppError::BadRequest(e.to_string())),
        };
    if done.confirmed_now {
        link_account(&state, done.user).await;
    }
    Ok(page(&v, &state.council().name, "Password changed", html! {
        (layout::banner(true, "Your password has been changed", html! {
            p { "You have been signed out everywhere. Sign in with your new password." }
            @if done.passkeys_removed > 0 { p { "Your passkeys have been removed too. Add them again from your account once you have signed in." } }
        }))
        h1 { "Password changed" }
        a class="button" href="/sign-in" role="button" { "Sign in" }
    })
    .into_response())
}

/// Links a confirmed account to the council's records of the same person,
/// when the council keeps a resident index that holds accounts: the
/// resident then finds their council tax, housing and other records with
/// their account. Only once the email address is proved theirs, so that
/// nobody can attach an account to someone else's records by typing their
/// name and birthday. The confirmation stands whatever becomes of this; a
/// failure is logged, and the next full run links the account.
pub(crate) async fn link_account(state: &AppState, user: UserId) {
    let Some(live) = state.settings().get::<townhall_index::live::LiveIndex>() else {
        return;
    };
    if live.policy().system(townhall_index::ACCOUNTS).is_none() {
        return;
    }
    let council = state.council().id;
    let account = accounts::get(state.store(), council, user).await;
    let profile = profiles::read_own(state.store(), council, user).await;
    let (Ok(Some(account)), Ok(Some(profile))) = (account, profile) else {
        tracing::warn!("a confirmed account has no profile to link in the resident index");
        return;
    };
    if account.kind != UserKind::Resident {
        return;
    }
    let name = format!("{} {}", profile.given_name, profile.family_name);
    let arriving = townhall_index::live::Arriving {
        key: townhall_index::records::RecordKey::new(
            townhall_index::ACCOUNTS.into(),
            user.to_string(),
        ),
        person: townhall_linkage::record::RawPerson {
            first_name: profile.given_name,
            surname: profile.family_name,
            email: account.email.to_string(),
            date_of_birth: profile.date_of_birth.unwrap_or_default(),
            phone: profile.phone.unwrap_or_default(),
            ..Default::default()
        },
        extra: profile
            .uprn
            .map(|u| [("uprn".to_owned(), u)].into())
            .unwrap_or_default(),
        account: Some(user),
    };
    let by = townhall_index::live::By {
        actor: townhall_audit::Actor::Resident(user.to_string()),
        label: name,
    };
    if let Err(e) = live.arrive(state.store(), arriving, &by).await {
        tracing::warn!(error = %e, "a confirmed account could not be linked in the resident index");
    }
}
