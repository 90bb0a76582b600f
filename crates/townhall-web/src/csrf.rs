//! Protection against cross-site request forgery, for every form.
//!
//! Each browser gets a random cookie; forms carry `HMAC(secret, cookie)` in a
//! hidden `csrf` field (or the `X-CSRF-Token` header for script requests). A
//! middleware checks every state-changing request outside `/api/` (which uses
//! keys, not cookies) before any handler runs, so no form can forget.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::AppError;
use crate::{cookies, AppState};

/// Signs and checks what this server hands out: form tokens bound to a
/// browser, and receipts for the confirmation page of a request.
#[derive(Clone)]
pub struct Csrf {
    key: Vec<u8>,
}

/// The form token for this browser.
#[derive(Clone, Debug)]
pub struct CsrfToken {
    /// The token, as forms carry it.
    pub token: String,
}

impl Csrf {
    /// A signer with the server's secret.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: secret.to_vec(),
        }
    }

    fn sign(&self, cookie: &str) -> String {
        self.seal(b"csrf:", cookie)
    }

    fn verify(&self, cookie: &str, token: &str) -> bool {
        self.check(b"csrf:", cookie, token)
    }

    /// The proof, for the address of a request's confirmation page, that
    /// this server made the request `reference`: only who made it is sent
    /// there, so nobody can try references to learn which exist.
    pub fn receipt(&self, reference: &str) -> String {
        self.seal(b"sent:", reference)
    }

    /// Whether `proof` is [`Csrf::receipt`] of `reference`.
    pub fn is_receipt(&self, reference: &str, proof: &str) -> bool {
        self.check(b"sent:", reference, proof)
    }

    /// HMAC-SHA256 of `value` under `purpose` (which keeps the kinds of
    /// token apart), in hex.
    fn seal(&self, purpose: &[u8], value: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(purpose);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn check(&self, purpose: &[u8], value: &str, token: &str) -> bool {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return false;
        };
        mac.update(purpose);
        mac.update(value.as_bytes());
        hex::decode(token).is_ok_and(|t| mac.verify_slice(&t).is_ok())
    }
}

/// Checks the token on state-changing requests; makes sure every browser has a CSRF cookie.
pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let secure = state.site.secure();
    let name = cookies::csrf_name(secure);
    let existing = cookies::get(request.headers(), name).map(str::to_owned);
    let (cookie, new_cookie) = match existing {
        Some(c) if c.len() >= 32 => (c, None),
        _ => {
            let fresh = townhall_identity::random_token();
            (fresh.clone(), Some(fresh))
        }
    };
    let token = CsrfToken {
        token: state.shared.csrf.sign(&cookie),
    };
    // Every method but the safe ones (RFC 9110, 9.2.1) needs the token.
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let is_api =
        request.uri().path().starts_with("/api/") || request.uri().path().starts_with("/open311/");
    let mut request = request;
    if changes_state && !is_api {
        let (parts, body) = request.into_parts();
        let boundary = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok());
        let limit = if boundary.is_some() {
            state.shared.upload_limit
        } else {
            crate::FORM_LIMIT
        };
        let Ok(bytes) = to_bytes(body, limit).await else {
            return AppError::TooLarge.into_response();
        };
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let submitted = match (header_token, boundary) {
            (Some(t), _) => Some(t),
            (None, Some(boundary)) => multipart_field(bytes.clone(), boundary, "csrf").await,
            (None, None) => form_urlencoded_field(&bytes, "csrf"),
        };
        let valid = new_cookie.is_none()
            && submitted.is_some_and(|t| state.shared.csrf.verify(&cookie, &t));
        if !valid {
            tracing::warn!(path = %parts.uri.path(), "form rejected: missing or wrong CSRF token");
            return AppError::Csrf.into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(token);
    let mut response = next.run(request).await;
    // Machine clients carry no forms: they are not given a cookie.
    if let Some(c) = new_cookie.filter(|_| !is_api) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookies::set(name, &c, None, secure));
    }
    response
}

/// The first text field called `field` in a multipart body.
async fn multipart_field(body: axum::body::Bytes, boundary: String, field: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(part)) = form.next_field().await {
        if part.name() == Some(field) && part.file_name().is_none() {
            return part.text().await.ok();
        }
    }
    None
}

fn form_urlencoded_field(body: &[u8], field: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.into_owned())
}
