//! The web layer: every page and JSON endpoint, assembled into one router.
//!
//! Domain crates know nothing of HTTP; this crate turns requests into calls on
//! them. Each request is authorised once, in [`auth`], by asking
//! `townhall_authz::authorize`; forms are protected by [`csrf`]; every response
//! carries the security headers of [`headers`]; errors become a page or JSON in
//! one place, [`error`].

mod api;
mod auth;
mod cookies;
mod csrf;
mod error;
mod headers;
mod layout;
mod metrics;
mod pages;
mod ratelimit;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use townhall_consent::Policy;
use townhall_notify::Templates;
use townhall_places::Council;
use townhall_store::Store;

pub use metrics::Metrics;

/// Every component's migrations, in the order they are applied.
pub fn migrations() -> Vec<townhall_store::Migration> {
    [
        townhall_places::MIGRATIONS,
        townhall_audit::MIGRATIONS,
        townhall_identity::MIGRATIONS,
        townhall_consent::MIGRATIONS,
        townhall_notify::MIGRATIONS,
    ]
    .concat()
}

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    council: Council,
    consent: Policy,
    templates: Templates,
    settings: Settings,
    csrf: csrf::Csrf,
    sign_in_limiter: ratelimit::Limiter,
    passkeys: townhall_identity::passkeys::Passkeys,
    metrics: Metrics,
}

/// How this server presents itself.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public address residents use, e.g. `https://riverside.example`.
    pub public_url: url::Url,
    /// Whether the demo-only pages (the mailbox) are served.
    pub demo: bool,
    /// A secret of at least 32 bytes for signing form tokens.
    pub secret: Vec<u8>,
    /// How many sign-in attempts one network address may make in 5 minutes.
    pub sign_in_attempts_per_address: u32,
}

impl Settings {
    fn secure(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// The server could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The secret is too short.
    #[error("the secret must be at least 32 bytes")]
    ShortSecret,
    /// Passkeys cannot work at the public address.
    #[error(transparent)]
    Passkeys(#[from] townhall_identity::passkeys::PasskeyError),
}

impl AppState {
    /// Assembles the state for one council.
    pub fn new(
        store: Store,
        council: Council,
        consent: Policy,
        templates: Templates,
        settings: Settings,
    ) -> Result<Self, SetupError> {
        if settings.secret.len() < 32 {
            return Err(SetupError::ShortSecret);
        }
        let passkeys =
            townhall_identity::passkeys::Passkeys::new(&settings.public_url, &council.name)?;
        let attempts = settings.sign_in_attempts_per_address;
        Ok(Self {
            inner: Arc::new(Inner {
                passkeys,
                csrf: csrf::Csrf::new(&settings.secret),
                store,
                council,
                consent,
                templates,
                settings,
                sign_in_limiter: ratelimit::Limiter::new(
                    attempts,
                    std::time::Duration::from_secs(300),
                ),
                metrics: Metrics::default(),
            }),
        })
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn council(&self) -> &Council {
        &self.inner.council
    }
}

/// The whole application as a router.
pub fn app(state: AppState) -> Router {
    pages::routes()
        .merge(api::routes())
        .fallback(|| async { error::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::protect,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::secure,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(1024 * 1024))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then drains requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
