//! Server-rendered pages, grouped by who uses them.

mod account;
mod casework;
mod dashboard;
mod details;
mod dev;
mod journey;
pub(crate) mod links;
mod passkeys;
mod payments;
mod public;
mod requests;
mod services;
mod staff;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public::start))
        .route("/accessibility", get(public::accessibility))
        .route("/privacy", get(public::privacy))
        .route("/assets/site.css", get(public::css))
        .route("/favicon.ico", get(public::favicon))
        .route("/assets/passkey.js", get(public::passkey_js))
        .route(
            "/sign-up",
            get(account::sign_up_form).post(account::sign_up),
        )
        .route(
            "/sign-up/check-email",
            get(account::check_email).post(account::resend),
        )
        .route(
            "/verify-email",
            get(links::verify_email).post(links::choose_password),
        )
        .route(
            "/sign-in",
            get(account::sign_in_form).post(account::sign_in),
        )
        .route("/sign-in/passkey/start", post(passkeys::sign_in_start))
        .route("/sign-in/passkey/finish", post(passkeys::sign_in_finish))
        .route("/sign-out", post(account::sign_out))
        .route(
            "/forgot-password",
            get(account::forgot_form).post(account::forgot),
        )
        .route("/reset-password", get(links::reset_form).post(links::reset))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/account", get(dashboard::settings))
        .route("/account/details", get(details::form).post(details::save))
        .route("/account/access-log", get(dashboard::access_log))
        .route("/account/passkeys/start", post(passkeys::register_start))
        .route("/account/passkeys/finish", post(passkeys::register_finish))
        .route(
            "/account/passkeys/{credential}/remove",
            post(passkeys::remove),
        )
        .route(
            "/staff/sign-in",
            get(staff::sign_in_form).post(staff::sign_in),
        )
        .route("/staff", get(staff::home))
        .route("/staff/residents", get(staff::find_resident))
        .route("/staff/residents/{id}", get(staff::resident))
        .route("/staff/residents/{id}/reason", post(staff::state_reason))
        .route("/staff/break-glass", get(staff::break_glass_reviews))
        .route(
            "/staff/break-glass/{id}/reviewed",
            post(staff::break_glass_reviewed),
        )
        .route("/staff/cases/{reference}", get(casework::case))
        .route("/staff/cases/{reference}/status", post(casework::status))
        .route("/staff/cases/{reference}/note", post(casework::note))
        .route("/staff/cases/{reference}/assign", post(casework::assign))
        .route("/staff/cases/{reference}/merge", post(casework::merge))
        .route("/staff/cases/{reference}/photos/{id}", get(casework::photo))
        .route("/dev/mailbox", get(dev::mailbox))
        .route("/services", get(services::list))
        .route("/services/{id}", get(services::about))
        .route("/services/{id}/start", get(journey::start))
        .route(
            "/services/{id}/answers",
            post(journey::answer).layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/services/{id}/submit", post(journey::submit))
        .route("/services/{id}/join", post(journey::join))
        .route("/services/{id}/sent/{reference}", get(journey::sent))
        .route("/requests/{reference}", get(requests::one))
        .route("/requests/{reference}/photos/{id}", get(requests::photo))
        .route(
            "/payments/{id}/record",
            get(payments::record_form).post(payments::record),
        )
        .route("/payments/{id}/return", get(payments::back))
        .route("/services/{id}/rules", get(services::rules))
        .route("/services/{id}/rules.json", get(services::rules_json))
}
