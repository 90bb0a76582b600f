//! One mapping from failures to responses: a page for people, JSON for `/api/`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use townhall_authz::Audience;

use crate::layout;
use crate::wire::{Document, Format, Node};

/// Everything a handler can fail with. Internal details are logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request cannot be answered as sent, with the reason.
    #[error("{0}")]
    BadRequest(String),
    /// The form token is missing, expired or another site's.
    #[error("Your form could not be sent because it had expired or did not come from this site. Go back, refresh the page and try again")]
    Csrf,
    /// Nobody is signed in; the visitor is sent to the sign-in page of
    /// whoever uses the page.
    #[error("You need to sign in to see this page")]
    SignInRequired(Audience),
    /// Signed in, but not allowed this page.
    #[error("You do not have permission to see this page")]
    Forbidden,
    /// Nothing is here, or nothing the visitor may know of.
    #[error("Page not found")]
    NotFound,
    /// The route does not take this method.
    #[error("This page cannot be used that way. Go back and try again")]
    MethodNotAllowed,
    /// Signed in and allowed the page, but refused this, with the reason.
    #[error("{0}")]
    Denied(String),
    /// The request clashes with what has happened since, e.g. a decision already made.
    #[error("{0}")]
    Conflict(String),
    /// The body is over its limit.
    #[error("The form was too large to send. Photos must be smaller than 10 MB")]
    TooLarge,
    /// The client has used its budget of attempts.
    #[error("Too many attempts. Wait 5 minutes and try again")]
    TooManyRequests,
    /// Something failed inside: logged in full, shown as a generic page.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<townhall_identity::recovery::RecoveryError> for AppError {
    fn from(e: townhall_identity::recovery::RecoveryError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<townhall_kernel::Missing> for AppError {
    fn from(e: townhall_kernel::Missing) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<townhall_store::StoreError> for AppError {
    fn from(e: townhall_store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Csrf | AppError::Forbidden | AppError::Denied(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::SignInRequired(_) => StatusCode::SEE_OTHER,
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
        if let AppError::SignInRequired(audience) = self {
            let to = match audience {
                Audience::Residents => "/sign-in",
                Audience::Staff => "/staff/sign-in",
                Audience::Partners => "/partner/sign-in",
            };
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

/// A failure an API answers with, whichever API: an HTTP status, a stable
/// code (`error.code` in JSON; the OpenAPI document lists them), the words
/// for the client (one per problem), and how long to wait before trying
/// again. JSON routes render it as `{"error": {"code", "message"}}`
/// ([`IntoResponse`]), Open311 routes as GeoReport's `errors` document
/// (`wire`). A failure of the server's own keeps its detail in the
/// log: the client is told only that the server could not answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code.
    pub code: &'static str,
    /// What went wrong, one entry per problem.
    pub messages: Vec<String>,
    /// Seconds to wait before trying again, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// One problem answered with `status`, under the code the status implies.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self::all(status, vec![message.into()])
    }

    /// Several problems with one status (e.g. one per field).
    pub fn all(status: StatusCode, messages: Vec<String>) -> Self {
        let code = match status {
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::TOO_MANY_REQUESTS => "rate_limited",
            s if s.is_server_error() => "internal",
            _ => "invalid_request",
        };
        Self {
            status,
            code,
            messages,
            retry_after: None,
        }
    }

    /// A request that cannot be answered as it is: 400.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// Nothing at that address: 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// The key may not do this: 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// The key has made more requests than it may: wait `seconds`.
    pub fn too_many(seconds: u64, message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(seconds),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    /// A failure of the server's own: `detail` goes to the log, never to
    /// the client (it may hold the database's words, or SQL).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server could not answer; try again later",
        )
    }

    /// The same, under a code of its own.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// The problems in one sentence.
    pub fn message(&self) -> String {
        self.messages.join("; ")
    }
}

impl From<townhall_kernel::Missing> for ApiError {
    fn from(e: townhall_kernel::Missing) -> Self {
        ApiError::internal(e)
    }
}

impl From<townhall_store::StoreError> for ApiError {
    fn from(e: townhall_store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(
                serde_json::json!({"error": {"code": self.code, "message": self.message()}}),
            ),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        // The JSON API's keys are bearer tokens (RFC 6750, section 3).
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl ApiError {
    /// The errors as GeoReport v2's `errors` document, in `format`: each
    /// with the HTTP status as its code, as the specification has it.
    pub fn respond(&self, format: Format) -> Response {
        let code = i64::from(self.status.as_u16());
        let mut response = Document {
            root: "errors",
            body: Node::List(
                "error",
                self.messages
                    .iter()
                    .map(|m| {
                        Node::Object(vec![
                            ("code", Node::Integer(code)),
                            ("description", Node::text(m.clone())),
                        ])
                    })
                    .collect(),
            ),
        }
        .respond(format, self.status);
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// The answer to a failure in the form the address's client reads:
/// GeoReport's errors document on `/open311/` (JSON or XML, by the
/// extension), JSON on `/api/` and at `.json` addresses, else the page.
pub fn answer_for(path: &str, api: ApiError, page: AppError) -> Response {
    if path.starts_with("/open311/") {
        let format = match path.rsplit_once('.') {
            Some((_, "xml")) => Format::Xml,
            _ => Format::Json,
        };
        api.respond(format)
    } else if path.starts_with("/api/") || path.ends_with(".json") {
        api.into_response()
    } else {
        page.into_response()
    }
}

/// Answers the failures that axum and tower write as plain text before any
/// handler runs (a body over its limit, a path segment that cannot be read,
/// a JSON body of the wrong type) in the form the address's client reads,
/// as every other failure is: the API's error document, Open311's, or a
/// page; with the status and headers they were given. The probes
/// (`/healthz`, `/readyz`, `/metrics`) keep their own answers.
pub async fn plain_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    // The probes answer monitoring in their own words.
    if matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics") {
        return response;
    }
    let status = response.status();
    let plain = match response.headers().get(CONTENT_TYPE) {
        Some(t) => t.to_str().is_ok_and(|t| t.starts_with("text/plain")),
        // tower's body limit answers with no body at all.
        None => status == StatusCode::PAYLOAD_TOO_LARGE,
    };
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let said = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let (api, page) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            ApiError::new(status, "The request is too large to be read"),
            AppError::TooLarge,
        ),
        s if s.is_server_error() => (ApiError::internal(&said), AppError::Internal(said)),
        s => {
            let message = if said.is_empty() {
                "The request could not be read".to_owned()
            } else {
                format!("The request could not be read: {said}")
            };
            (
                ApiError::new(s, message).with_code("invalid_request"),
                // axum's words are for developers; people are told what to do.
                AppError::BadRequest(
                    "This address or form could not be read. Check the address, or go back and try again"
                        .to_owned(),
                ),
            )
        }
    };
    let mut answer = answer_for(&path, api, page);
    *answer.status_mut() = status;
    // What else it said (Allow, Strict-Transport-Security, …) still holds.
    let own: Vec<_> = answer.headers().keys().cloned().collect();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH && !own.contains(name) {
            answer.headers_mut().append(name, value.clone());
        }
    }
    answer
}
