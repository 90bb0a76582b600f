//! Cases on the web: the service pages and the journey that makes a
//! request (its form, check your answers, payment and the confirmation), the
//! resident's own requests, staff's queue and casework, and Open311
//! GeoReport v2, through which apps report as residents do.

mod answers;
mod casework;
mod journey;
mod open311;
mod panels;
mod payments;
mod requests;
mod services;
mod staff_home;

use axum::routing::{get, post};
use axum::Router;
use townhall_cases::paid::Till;
use townhall_kernel::Missing;
use townhall_store::Store;
use townhall_web::{AppState, Served};

/// What cases serve: their routes, the resident's requests and permits on
/// the dashboard, forms that take a photo, and Open311's and the published
/// rules' part of the OpenAPI document.
pub const WEB: Served = Served {
    routes,
    panels: panels::PANELS,
    largest_file: townhall_cases::attachments::MAX_BYTES,
    openapi: Some(include_str!("../openapi.json")),
};

/// The largest request with a photo: the photo at its limit and the rest of
/// the form.
const UPLOAD_LIMIT: usize = townhall_cases::attachments::MAX_BYTES + townhall_web::FORM_LIMIT;

/// What cases serve on each site: `/services` and each service's journey,
/// `/requests`, `/payments`, the staff home and `/staff/cases`, and
/// `/open311/v2`, whose intake on `store` every site shares.
fn routes(store: &Store) -> Router<AppState> {
    Router::new()
        .route("/staff", get(staff_home::home))
        .route("/staff/cases/{reference}", get(casework::case))
        .route("/staff/cases/{reference}/status", post(casework::status))
        .route("/staff/cases/{reference}/note", post(casework::note))
        .route("/staff/cases/{reference}/assign", post(casework::assign))
        .route("/staff/cases/{reference}/merge", post(casework::merge))
        .route("/staff/cases/{reference}/photos/{id}", get(casework::photo))
        .route("/services", get(services::list))
        .route("/services/{id}", get(services::about))
        .route("/services/{id}/start", get(journey::start))
        .route(
            "/services/{id}/answers",
            post(journey::answer).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
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
        .merge(open311::routes(store))
}

/// Where the site's council takes payment for its services.
fn till(state: &AppState) -> Result<Till<'_>, Missing> {
    Till::of(state.settings())
}
