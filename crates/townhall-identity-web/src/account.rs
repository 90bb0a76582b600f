//! Signing up, confirming an email address, signing in and out, resetting a password.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_identity::accounts::{self, UserKind};
use townhall_identity::devices;
use townhall_identity::recovery::{self, Mailer, NewResident};
use townhall_identity::{sessions, SignInError, User};
use townhall_types::EmailAddress;

use crate::details::DetailsForm;
use townhall_web::auth::Visitor;
use townhall_web::client::ClientAddr;
use townhall_web::error::AppError;
use townhall_web::form::Form;
use townhall_web::layout::{self, csrf, error_summary, page, Errors, Input};
use townhall_web::ratelimit::{Budget, Counted};
use townhall_web::{cookies, AppState};

#[derive(Deserialize, Default)]
pub struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(flatten)]
    details: DetailsForm,
}

pub async fn sign_up_form(State(state): State<AppState>, v: Visitor) -> Markup {
    sign_up_page(&state, &v, &SignUpForm::default(), &Errors::default())
}

fn sign_up_page(state: &AppState, v: &Visitor, f: &SignUpForm, errors: &Errors) -> Markup {
    page(
        v,
        &state.council().name,
        &layout::title(errors, "Create an account"),
        html! {
            (error_summary(errors))
            h1 { "Create an account" }
            form method="post" action="/sign-up" novalidate {
                (csrf(v))
                (f.details.fields(errors))
                (Input { name: "email", label: "Email address", kind: "email", value: &f.email, hint: Some("We will send you a link to confirm it is yours and choose a password"), autocomplete: Some("email") }.render(errors))
                button class="button" type="submit" { "Continue" }
            }
            p { "After you sign in you can add a passkey, so that next time you can sign in with your fingerprint, face or screen lock." }
        },
    )
}

pub async fn sign_up(
    State(state): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<SignUpForm>,
) -> Result<Response, AppError> {
    let mut errors = Errors::default();
    let details = f.details.read(&mut errors);
    let email = EmailAddress::parse(&f.email).map_err(|e| errors.push("email", e.to_string()));
    let (Some(details), Ok(email)) = (details, email) else {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            sign_up_page(&state, &v, &f, &errors),
        )
            .into_response());
    };
    // Every sign-up that could send an email counts against the client, so
    // nobody can send a flood of them to the owners of taken addresses.
    if !state
        .client_limits()
        .begin(Budget::EmailLinks, Counted::Client(client))
    {
        return Err(AppError::TooManyRequests);
    }
    let started = tokio::time::Instant::now();
    recovery::sign_up(
        state.store(),
        &mailer(&state),
        &NewResident {
            email: &email,
            given_name: &details.given_name,
            family_name: &details.family_name,
            date_of_birth: details.date_of_birth,
        },
    )
    .await?;
    answer_evenly(started).await;
    Ok(Redirect::to("/sign-up/check-email").into_response())
}

/// How this site's account emails are made.
pub(crate) fn mailer(state: &AppState) -> Mailer<'_> {
    Mailer {
        templates: state.templates(),
        council: state.council().id,
        council_name: &state.council().name,
        public_url: state.public_url(),
    }
}

pub async fn check_email(State(state): State<AppState>, v: Visitor) -> Markup {
    check_email_page(&state, &v, None, "", &Errors::default())
}

/// The page after signing up: what to do with the emailed link, and a form
/// that sends it again (`sent_again` names the address it was asked for).
fn check_email_page(
    state: &AppState,
    v: &Visitor,
    sent_again: Option<&EmailAddress>,
    typed: &str,
    errors: &Errors,
) -> Markup {
    page(
        v,
        &state.council().name,
        &layout::title(errors, "Check your email"),
        html! {
            (error_summary(errors))
            h1 { "Check your email" }
            @if let Some(email) = sent_again {
                (layout::banner(true, "Email sent again", html! {
                    p { "If " strong { (email.as_str()) } " is waiting to be confirmed, we have sent it a new link. Use the newest email: the link in an earlier one no longer works." }
                }))
            }
            p { "We have sent you an email with a link to confirm your address. Open the link to choose your password and finish creating your account." }
            p { "The link works for 24 hours. If the email has not arrived after a few minutes, check your spam or junk folder." }
            details class="details" open[!errors.is_empty()] {
                summary { "I have not received the email" }
                div {
                    p { "Enter the address you signed up with and we will send the link again." }
                    form method="post" action="/sign-up/check-email" novalidate {
                        (csrf(v))
                        (Input { name: "email", label: "Email address", kind: "email", value: typed, hint: None, autocomplete: Some("email") }.render(errors))
                        button class="button button--secondary" type="submit" { "Send the email again" }
                    }
                    p { "If the link has expired, " a href="/forgot-password" { "reset your password" } ": the link we send then also confirms your address." }
                }
            }
        },
    )
}

/// How long a request that may email a link takes at least, whatever the
/// address: the work done for an address with an account (a link made, an
/// email queued) takes a millisecond or two more than for one without,
/// which a client timing many requests could measure to learn who has an
/// account. Far above that work, short enough not to be noticed.
const EVEN_ANSWER: std::time::Duration = std::time::Duration::from_millis(250);

/// Waits until [`EVEN_ANSWER`] has passed since `started`.
async fn answer_evenly(started: tokio::time::Instant) {
    tokio::time::sleep_until(started + EVEN_ANSWER).await;
}

/// The address a request that emails a link is for, the request counted
/// against the client's budget (each may send an email); or `form` again,
/// 422 and not counted, when what was typed is not an address.
fn link_request(
    state: &AppState,
    client: ClientAddr,
    typed: &str,
    form: impl FnOnce(&Errors) -> Markup,
) -> Result<Result<EmailAddress, Response>, AppError> {
    let email = match EmailAddress::parse(typed) {
        Ok(email) => email,
        Err(e) => {
            let mut errors = Errors::default();
            errors.push("email", e.to_string());
            let page = (axum::http::StatusCode::UNPROCESSABLE_ENTITY, form(&errors));
            return Ok(Err(page.into_response()));
        }
    };
    if !state
        .client_limits()
        .begin(Budget::EmailLinks, Counted::Client(client))
    {
        return Err(AppError::TooManyRequests);
    }
    Ok(Ok(email))
}

/// Sends the sign-up link again, answering alike whether or not the
/// address has an account waiting.
pub async fn resend(
    State(state): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let email = match link_request(&state, client, &f.email, |errors| {
        check_email_page(&state, &v, None, &f.email, errors)
    })? {
        Ok(email) => email,
        Err(form) => return Ok(form),
    };
    let started = tokio::time::Instant::now();
    recovery::resend_confirmation(state.store(), &mailer(&state), &email).await?;
    answer_evenly(started).await;
    Ok(check_email_page(&state, &v, Some(&email), "", &Errors::default()).into_response())
}

#[derive(Deserialize, Default)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

pub async fn sign_in_form(State(state): State<AppState>, v: Visitor) -> Response {
    if v.user
        .as_ref()
        .is_some_and(|u| u.kind == UserKind::Resident)
    {
        return Redirect::to("/dashboard").into_response();
    }
    sign_in_page(
        &state,
        &v,
        &SignInForm::default(),
        &Errors::default(),
        UserKind::Resident,
    )
    .into_response()
}

pub fn sign_in_page(
    state: &AppState,
    v: &Visitor,
    f: &SignInForm,
    errors: &Errors,
    kind: UserKind,
) -> Markup {
    let (action, heading) = match kind {
        UserKind::Resident => ("/sign-in", "Sign in to your account"),
        UserKind::Staff => ("/staff/sign-in", "Council staff sign in"),
        UserKind::PartnerStaff => ("/partner/sign-in", "Partner organisations: sign in"),
    };
    page(
        v,
        &state.council().name,
        &layout::title(errors, heading),
        html! {
            (error_summary(errors))
            h1 { (heading) }
            form method="post" action=(action) novalidate {
                (csrf(v))
                (Input { name: "email", label: "Email address", kind: "email", value: &f.email, hint: None, autocomplete: Some("username") }.render(errors))
                (Input { name: "password", label: "Password", kind: "password", value: "", hint: None, autocomplete: Some("current-password") }.render(errors))
                button class="button" type="submit" { "Sign in" }
            }
            @if kind == UserKind::Staff {
                p { "Work for an organisation the council shares information with, such as a GP practice? " a href="/partner/sign-in" { "Sign in on the partner pages" } "." }
            }
            @if kind == UserKind::PartnerStaff {
                p { "This is for the staff of organisations the council shares information with, such as GP practices and housing associations. Your organisation's information governance manager can ask the council for your account." }
            }
            @if kind != UserKind::Staff {
                form class="passkey-only" id="passkey-sign-in-form" {
                    (csrf(v))
                    h2 { "Sign in with your fingerprint or face" }
                    p { "If you have added a passkey to your account, you do not need your email address or password." }
                    div class="form-group" id="passkey-sign-in-group" {
                        button class="button button--secondary" type="button" id="passkey-sign-in" { "Sign in with a passkey" }
                    }
                }
            }
            @if kind == UserKind::Resident {
                p { a href="/forgot-password" { "I have forgotten my password" } }
                p { "No account yet? " a href="/sign-up" { "Create an account" } "." }
            }
        },
    )
}

/// Checks a sign-in form against the rate limit and the account; the error page when it fails.
async fn check_sign_in(
    state: &AppState,
    v: &Visitor,
    client: ClientAddr,
    f: &SignInForm,
    kind: UserKind,
) -> Result<Result<User, Response>, AppError> {
    let started = tokio::time::Instant::now();
    // Staff's passwords, and partners' staff's, are set by an administrator.
    let staff = kind != UserKind::Resident;
    let mut errors = Errors::default();
    let email = match EmailAddress::parse(&f.email) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push("email", e.to_string());
            None
        }
    };
    // No password is only spaces (the rules refuse one), so spaces alone
    // are a password not yet typed, not a guess.
    if f.password.trim().is_empty() {
        errors.push("password", "Enter your password");
    }
    // A form not filled in is 422, and checks no password, so it is not
    // counted; details that do not sign in are 401.
    let reject =
        |status, errors: &Errors| (status, sign_in_page(state, v, f, errors, kind)).into_response();
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(Err(reject(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
        )));
    };
    // A browser that signed in to this account before is counted alone and
    // let through a lock on the account: others cannot keep its owner out.
    let council = state.council().id;
    let known = match &v.device {
        Some(secret) => match devices::recognise(state.store(), council, secret).await? {
            Some(device) => accounts::find_by_email(state.store(), council, kind, &email)
                .await?
                .filter(|account| account.id == device.user)
                .map(|_| device),
            None => None,
        },
        None => None,
    };
    let counted = known
        .as_ref()
        .map_or(Counted::Client(client), |d| Counted::Device(&d.id));
    // Counted as it begins, so guesses sent at once cannot pass the limit
    // together; forgiven below if it succeeds.
    if !state.client_limits().begin(Budget::SignIn, counted) {
        return Err(AppError::TooManyRequests);
    }
    match accounts::sign_in_with_password(
        state.store(),
        council,
        (kind, &email),
        &f.password,
        known.as_ref(),
    )
    .await?
    {
        Ok(user) => {
            state.client_limits().forgive(Budget::SignIn, counted);
            Ok(Ok(user))
        }
        Err(e) => {
            if let SignInError::Locked {
                until,
                newly_locked: Some(owner),
            } = &e
            {
                recovery::tell_locked(state.store(), &mailer(state), *owner, *until).await?;
            }
            // Telling the owner takes time that an address without an
            // account does not: every answer that a lock is on takes as long.
            if matches!(e, SignInError::Locked { .. }) {
                answer_evenly(started).await;
            }
            match e {
                // A new account answers so until its address is confirmed,
                // which its owner may not know.
                SignInError::BadCredentials if !staff => errors.push(
                    "password",
                    format!("{e}. If you have just created an account, choose your password first with the link we emailed you; if that link has expired, reset your password instead"),
                ),
                SignInError::BadCredentials => errors.push("password", e.to_string()),
                // Staff passwords are never reset by email.
                SignInError::Locked { until, .. } if staff => errors.push(
                    "email",
                    format!("You have entered the wrong password too many times. Sign in on a device you have signed in on before, try again after {}, or ask an administrator to set a new password", until.human()),
                ),
                SignInError::Locked { .. } => errors.push("email", format!("{e}. A device you have signed in on before can still sign in")),
            }
            Ok(Err(reject(axum::http::StatusCode::UNAUTHORIZED, &errors)))
        }
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<SignInForm>,
) -> Result<Response, AppError> {
    password_sign_in(&state, &v, client, &f, UserKind::Resident).await
}

/// Signs in with a password: a new session and the account's home page, or the
/// form again with the reason next to the field.
pub async fn password_sign_in(
    state: &AppState,
    v: &Visitor,
    client: ClientAddr,
    f: &SignInForm,
    kind: UserKind,
) -> Result<Response, AppError> {
    let home = match kind {
        UserKind::Resident => "/dashboard",
        UserKind::Staff => "/staff",
        UserKind::PartnerStaff => "/partner",
    };
    match check_sign_in(state, v, client, f, kind).await? {
        Ok(user) => start_session(state, &user, home).await,
        Err(page) => Ok(page),
    }
}

/// Starts a session and sends the browser to `to` with the new cookies.
async fn start_session(state: &AppState, user: &User, to: &str) -> Result<Response, AppError> {
    let mut response = Redirect::to(to).into_response();
    signed_in(state, user, &mut response).await?;
    Ok(response)
}

/// Starts a session for `user` and sets its cookie on `response`, with a
/// device cookie that names this browser as one the account's owner uses.
pub async fn signed_in(
    state: &AppState,
    user: &User,
    response: &mut Response,
) -> Result<(), AppError> {
    let token = sessions::start(state.store(), user).await?;
    let secure = state.secure();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies::set(
            cookies::session_name(secure),
            &token,
            Some(sessions::lifetime(user.kind).whole_seconds()),
            secure,
        ),
    );
    let device = devices::remember(state.store(), user.council, user.id).await?;
    headers.append(
        header::SET_COOKIE,
        cookies::set(
            cookies::device_name(secure),
            &device,
            Some(devices::LIFETIME.whole_seconds()),
            secure,
        ),
    );
    Ok(())
}

pub async fn sign_out(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    if let Some(token) = &v.session_token {
        sessions::end(state.store(), state.council().id, token).await?;
    }
    let secure = state.secure();
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::session_name(secure), secure),
    );
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot_form(State(state): State<AppState>, v: Visitor) -> Markup {
    forgot_page(&state, &v, "", &Errors::default())
}

fn forgot_page(state: &AppState, v: &Visitor, email: &str, errors: &Errors) -> Markup {
    page(
        v,
        &state.council().name,
        &layout::title(errors, "Reset your password"),
        html! {
            (error_summary(errors))
            h1 { "Reset your password" }
            p { "Enter the email address you use to sign in. We will send you a link to choose a new password." }
            form method="post" action="/forgot-password" novalidate {
                (csrf(v))
                (Input { name: "email", label: "Email address", kind: "email", value: email, hint: None, autocomplete: Some("email") }.render(errors))
                button class="button" type="submit" { "Send the link" }
            }
        },
    )
}

pub async fn forgot(
    State(state): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let email = match link_request(&state, client, &f.email, |errors| {
        forgot_page(&state, &v, &f.email, errors)
    })? {
        Ok(email) => email,
        Err(form) => return Ok(form),
    };
    let started = tokio::time::Instant::now();
    recovery::forgot_password(state.store(), &mailer(&state), &email).await?;
    answer_evenly(started).await;
    // The same answer whether or not there is an account, so the page cannot be used to find out.
    Ok(page(&v, &state.council().name, "Check your email", html! {
        h1 { "Check your email" }
        p { "If there is an account for " strong { (email.as_str()) } ", we have sent it a link to reset the password. The link works for 1 hour." }
    })
    .into_response())
}
