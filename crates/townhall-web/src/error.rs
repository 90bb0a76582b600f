//! One mapping from failures to responses: a page for people, JSON for `/api/`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::layout;

/// Everything a handler can fail with. Internal details are logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Your form could not be sent because it had expired or did not come from this site. Go back, refresh the page and try again")]
    Csrf,
    #[error("You need to sign in to see this page")]
    SignInRequired { staff: bool },
    #[error("You do not have permission to see this page")]
    Forbidden,
    #[error("Page not found")]
    NotFound,
    #[error("This page cannot be used that way. Go back and try again")]
    MethodNotAllowed,
    /// Signed in and allowed the page, but refused this, with the reason.
    #[error("{0}")]
    Denied(String),
    /// The request clashes with what has happened since, e.g. a decision already made.
    #[error("{0}")]
    Conflict(String),
    #[error("The form was too large to send. Photos must be smaller than 10 MB")]
    TooLarge,
    #[error("Too many attempts. Wait 5 minutes and try again")]
    TooManyRequests,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<townhall_identity::recovery::RecoveryError> for AppError {
    fn from(e: townhall_identity::recovery::RecoveryError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<townhall_store::StoreError> for AppError {
    fn from(e: townhall_store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<townhall_store::sql::Error> for AppError {
    fn from(e: townhall_store::sql::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Csrf | AppError::Forbidden | AppError::Denied(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::SignInRequired { staff } = self {
            let to = if staff { "/staff/sign-in" } else { "/sign-in" };
            return axum::response::Redirect::to(to).into_response();
        }
        if let AppError::Internal(detail) = &self {
            tracing::error!(detail, "request failed");
        }
        let status = self.status();
        let (title, message) = match &self {
            AppError::Internal(_) => (
                "Sorry, there is a problem with the service".to_owned(),
                "Try again later. Nothing you entered has been saved unless we told you it was."
                    .to_owned(),
            ),
            AppError::NotFound => (
                "Page not found".to_owned(),
                "If you typed the web address, check it is correct.".to_owned(),
            ),
            other => (
                match other {
                    AppError::TooManyRequests => "Too many attempts",
                    AppError::Csrf => "Your form has expired",
                    AppError::Forbidden | AppError::Denied(_) => "You cannot do this",
                    AppError::TooLarge => "The form was too large",
                    AppError::Conflict(_) => "This has changed since you started",
                    AppError::MethodNotAllowed => "This page cannot be used that way",
                    _ => "There is a problem",
                }
                .to_owned(),
                other.to_string(),
            ),
        };
        let body = layout::bare(
            &title,
            html! {
                h1 { (title) }
                p { (message) }
                p { a href="/" { "Go to the start page" } }
            },
        );
        let mut response = (status, body).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            // The sign-in limits count the last 5 minutes.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("300"),
            );
        }
        response
    }
}

/// The JSON answer to a failure of the server's own: the detail goes to the
/// log, never to the client (it may hold the database's words, or SQL).
pub fn json_internal(detail: impl std::fmt::Display) -> Response {
    tracing::error!(%detail, "API request failed");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "The server could not answer; try again later",
    )
}

/// The JSON error for API endpoints: `{"error": {"code": ..., "message": ...}}`.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}
