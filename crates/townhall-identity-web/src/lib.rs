//! Identity on the web: signing up and in (with a password or a passkey),
//! the emailed links that confirm an address or reset a password, a
//! resident's own details, and staff's sign-in and their view of a
//! resident (found, seen for a stated reason, reviewed by the data
//! protection officer).

mod account;
mod details;
mod links;
mod partner;
mod passkeys;
mod staff;

use axum::routing::{get, post};
use axum::Router;
use townhall_store::Store;
use townhall_web::{AppState, Served};

/// What identity serves: its routes.
pub const WEB: Served = Served::routes(routes);

/// What identity serves on each site: sign-up, sign-in and sign-out,
/// `/verify-email` and `/reset-password`, `/account/details` and passkeys,
/// `/staff/sign-in`, `/staff/residents` and `/staff/break-glass`, and
/// partners' staff's `/partner/sign-in` and `/partner/account`.
fn routes(_: &Store) -> Router<AppState> {
    Router::new()
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
        .route("/account/details", get(details::form).post(details::save))
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
        .route(
            "/partner/sign-in",
            get(partner::sign_in_form).post(partner::sign_in),
        )
        .route("/partner/account", get(partner::account))
        .route("/staff/residents", get(staff::find_resident))
        .route("/staff/residents/{id}", get(staff::resident))
        .route("/staff/residents/{id}/reason", post(staff::state_reason))
        .route("/staff/break-glass", get(staff::break_glass_reviews))
        .route(
            "/staff/break-glass/{id}/reviewed",
            post(staff::break_glass_reviewed),
        )
}
