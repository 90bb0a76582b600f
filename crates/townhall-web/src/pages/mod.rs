//! Server-rendered pages, grouped by who uses them.

mod casework;
mod dashboard;
mod dev;
mod journey;
mod payments;
mod public;
mod requests;
mod services;
mod staff_home;

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
        .route("/dashboard", get(dashboard::dashboard))
        .route("/account", get(dashboard::settings))
        .route("/account/access-log", get(dashboard::access_log))
        .route("/staff", get(staff_home::home))
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
