//! Every API client passes through here: the holder of a current key of
//! this council (sent as `Authorization: Bearer KEY`, or as Open311's
//! `api_key`), within the key's rate, then asked of the one authorisation
//! function for each thing it does.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use townhall_authz::{authorize, Action, Principal, Protected, Verdict};
use townhall_identity::api_keys::ApiClient;

use crate::error::ApiError;
use crate::AppState;

/// An API client: the holder of a key of this council, within its rate.
/// JSON routes take it from `Authorization: Bearer KEY` as an extractor;
/// Open311 also from its `api_key` parameter ([`ApiCaller::with_key`]).
pub struct ApiCaller(pub ApiClient);

impl ApiCaller {
    /// The holder of `secret`, if it is a current key of this council and
    /// the key has requests left this minute.
    pub async fn with_key(state: &AppState, secret: &str) -> Result<Self, ApiError> {
        let client =
            townhall_identity::api_keys::authenticate(state.store(), state.council().id, secret)
                .await?
                .ok_or_else(|| {
                    ApiError::new(StatusCode::UNAUTHORIZED, "The API key is not valid")
                })?;
        state
            .shared
            .api_limits
            .check(&client.key_id, client.requests_per_minute)
            .map_err(|seconds| {
                ApiError::too_many(
                    seconds,
                    format!(
                        "This API key has made more requests than it may; try again in {seconds} s"
                    ),
                )
            })?;
        Ok(ApiCaller(client))
    }

    /// Whether the one authorisation function lets the key do `action` to
    /// `resource`; a 403 naming the scope it needs when not.
    pub fn may(&self, action: Action, resource: &dyn Protected) -> Result<(), ApiError> {
        let principal = Principal::ApiClient(self.0.scopes.clone());
        match authorize(&principal, action, resource) {
            Verdict::Allow => Ok(()),
            _ => Err(ApiError::forbidden(match resource.scope(action) {
                Some(scope) => format!(
                    "This API key has the scopes {}; this needs {scope}",
                    self.0.scopes
                ),
                None => "No API key may do this".to_owned(),
            })),
        }
    }
}

/// The key an `Authorization: Bearer KEY` header sends.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme's name is case-insensitive (RFC 9110, 11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
        .filter(|key| !key.is_empty())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.get_all(header::AUTHORIZATION).iter().count() > 1 {
            return Err(ApiError::bad(
                "Send one Authorization header: which of several keys is meant is not guessed",
            ));
        }
        let secret = bearer(&parts.headers).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Send an API key as 'Authorization: Bearer KEY'",
            )
        })?;
        ApiCaller::with_key(state, secret).await
    }
}
