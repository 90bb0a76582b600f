//! Server-rendered pages, grouped by who uses them.

mod dashboard;
mod dev;
mod public;

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub(crate) use dashboard::PANELS;

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
        .route("/dev/mailbox", get(dev::mailbox))
}
