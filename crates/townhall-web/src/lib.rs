//! The web kernel: what every capability's pages and API share, and the
//! router that assembles them.
//!
//! Domain crates know nothing of HTTP; the web crates turn requests into calls
//! on them: this one holds the platform's own pages (the start page, a
//! resident's dashboard) and API (OpenAPI, the event feed), and each
//! capability's web crate gives what it [`Served`]: its routes, merged here, and its cards on a resident's dashboard. One process can serve several councils: each council is a [`Site`] with
//! its own public address, and [`sites`] picks the site from the request's host
//! name. Each request is authorised once by asking
//! `townhall_authz::authorize`: for people in [`auth`], for API clients in
//! [`caller`]; forms are protected by [`csrf`]; every response carries the
//! security headers of [`headers`]; errors become a page ([`error::AppError`])
//! or an API's answer ([`error::ApiError`]) in one place, [`error`].

mod api;
pub mod auth;
pub mod caller;
pub mod client;
pub mod cookies;
pub mod csrf;
pub mod error;
mod events_api;
pub mod form;
mod headers;
pub mod layout;
mod metrics;
mod openapi;
mod ops;
mod pages;
pub mod ratelimit;
mod served;
mod sites;
mod text_input;
pub mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use townhall_identity::passkeys::Passkeys;
use townhall_kernel::{Missing, Registry};
use townhall_notify::Templates;
use townhall_places::{Boundaries, Council};
use townhall_store::Store;

pub use metrics::Metrics;

/// One council as this server presents it.
#[derive(Debug, Clone)]
pub struct Site {
    /// The council.
    pub council: Council,
    /// The address its residents use, e.g. `https://riverside.example`. Its host
    /// name is how requests are matched to the council.
    pub public_url: url::Url,
    /// Its settings, as each capability read them from its configuration
    /// ([`townhall_kernel::Platform::configure`]).
    pub settings: Registry,
}

/// How the whole server behaves, whichever council a request is for.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether the demo-only pages (the mailbox) are served.
    pub demo: bool,
    /// A secret of at least 32 bytes for signing form tokens.
    pub secret: Vec<u8>,
    /// How many failed sign-ins (and password-reset requests) one client
    /// address may make in 5 minutes.
    pub sign_in_attempts_per_address: u32,
    /// The proxies (addresses or networks) whose `Forwarded` and
    /// `X-Forwarded-For` headers name the client; empty when clients connect
    /// directly.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The forwarding header those proxies write.
    pub forwarded_header: client::ForwardedHeader,
    /// The client addresses (or networks) that may read `/metrics`; others
    /// are answered 404.
    pub metrics_from: Vec<ipnet::IpNet>,
}

impl Settings {
    /// The addresses of this machine: where metrics are read from unless the
    /// deployment says otherwise.
    pub fn loopback() -> Vec<ipnet::IpNet> {
        vec![
            ipnet::IpNet::from(std::net::IpAddr::from([127, 0, 0, 1])),
            ipnet::IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
        ]
    }
}

/// The server could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The secret is too short.
    #[error("the secret must be at least 32 bytes")]
    ShortSecret,
    /// There is no council to serve.
    #[error("there is no site to serve; configure at least one")]
    NoSites,
    /// Two sites claim the same host name, so requests could not be told apart.
    #[error("sites '{first}' and '{second}' both use the host {host}; give each council its own")]
    SharedHost {
        /// The host both sites use.
        host: String,
        /// The first site's council.
        first: String,
        /// The second site's council.
        second: String,
    },
    /// A capability's part of the OpenAPI document cannot be merged.
    #[error("the OpenAPI document: {0}")]
    OpenApi(String),
    /// One council is configured twice.
    #[error("council '{0}' is configured as more than one site")]
    DuplicateCouncil(String),
    /// A public address has no host name to match requests on.
    #[error("the public address {0} has no host name")]
    NoHost(url::Url),
    /// Passkeys cannot work at a site's public address.
    #[error("site '{council}': {source}")]
    Passkeys {
        /// The site's council.
        council: String,
        /// Why the relying party could not be set up.
        source: townhall_identity::passkeys::PasskeyError,
    },
    /// A site lacks a setting the kernel's own pages use.
    #[error("site '{council}': {missing}")]
    Unconfigured {
        /// The site's council.
        council: String,
        /// The setting.
        missing: Missing,
    },
}

/// The largest form without files, in bytes.
pub const FORM_LIMIT: usize = 1024 * 1024;
/// The largest JSON body the API reads (axum's own limit for a body read
/// whole, which its handlers use).
const JSON_LIMIT: usize = 2 * 1024 * 1024;

/// What every site shares: the store, templates, form signing, the sign-in
/// limit (per network address, across councils) and the metrics.
struct Shared {
    store: Store,
    templates: Arc<Templates>,
    settings: Settings,
    csrf: csrf::Csrf,
    /// Sign-ins and emailed links per client address.
    client_limits: ratelimit::ClientLimits,
    /// Requests per API key, each key at its own rate.
    api_limits: ratelimit::PerKey,
    metrics: Metrics,
    /// Every council served, to name the one a place belongs to when it is
    /// outside the council a report was made to.
    areas: Vec<Area>,
    /// The largest request with files, in bytes: the largest file a
    /// capability's form takes, and the rest of the form.
    upload_limit: usize,
    /// The capabilities' cards on a resident's dashboard, lowest rank first.
    panels: Vec<Panel>,
    /// The OpenAPI document: the platform's part and each capability's.
    openapi: serde_json::Value,
}

/// A council's area, as its neighbours see it.
struct Area {
    council: townhall_types::CouncilId,
    slug: String,
    name: String,
    public_url: url::Url,
    boundaries: Boundaries,
}

impl AppState {
    /// The sentence for a place outside this council's area, naming the
    /// council served here that covers it, if any.
    pub fn outside_area(&self, latitude: f64, longitude: f64) -> String {
        let mine = format!("The place must be inside {}'s area", self.council().name);
        let theirs = self.shared.areas.iter().find(|a| {
            a.council != self.council().id
                && a.boundaries.has_wards()
                && a.boundaries.covers(latitude, longitude)
        });
        match theirs {
            Some(a) => format!(
                "{mine}. It is in {}'s area: report it at {}",
                a.name, a.public_url
            ),
            None => mine,
        }
    }
}

/// One site, ready to answer: its council, address, settings and the
/// WebAuthn relying party for its host.
struct SiteState {
    council: Council,
    public_url: url::Url,
    settings: Registry,
    passkeys: Passkeys,
}

impl SiteState {
    /// Whether the site is served over TLS: cookies are then `Secure` and
    /// responses carry HSTS.
    fn secure(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// Everything a request handler may need: the shared parts and the site the
/// request is for. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    site: Arc<SiteState>,
}

impl AppState {
    /// The store.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// The council the request is for.
    pub fn council(&self) -> &Council {
        &self.site.council
    }

    /// Its settings, capability by capability.
    pub fn settings(&self) -> &Registry {
        &self.site.settings
    }

    /// Its setting of type `T`, which the capability that gives it put there
    /// on start (so a missing one is the platform's fault, not the visitor's).
    pub fn setting<T: std::any::Any + Send + Sync>(&self) -> Result<&T, Missing> {
        self.site.settings.require()
    }

    /// The address its residents use.
    pub fn public_url(&self) -> &url::Url {
        &self.site.public_url
    }

    /// Whether the site is served over TLS: cookies are then `Secure`.
    pub fn secure(&self) -> bool {
        self.site.secure()
    }

    /// The WebAuthn relying party for its host.
    pub fn passkeys(&self) -> &Passkeys {
        &self.site.passkeys
    }

    /// The message templates.
    pub fn templates(&self) -> &Templates {
        &self.shared.templates
    }

    /// Sign-ins and emailed links per client address.
    pub fn client_limits(&self) -> &ratelimit::ClientLimits {
        &self.shared.client_limits
    }

    /// The signer of form tokens and confirmation receipts.
    pub fn csrf(&self) -> &csrf::Csrf {
        &self.shared.csrf
    }
}

pub use served::{Drawing, Panel, Routes, Served};

/// The whole application, ready to [`serve`].
#[derive(Clone)]
pub struct App(Router);

/// Assembles the application: a router per site behind a dispatcher on the host
/// name, plus the health and metrics endpoints, which answer on any host.
pub fn app(
    store: Store,
    templates: Templates,
    settings: Settings,
    sites: Vec<Site>,
    capabilities: &[Served],
) -> Result<App, SetupError> {
    if settings.secret.len() < 32 {
        return Err(SetupError::ShortSecret);
    }
    let templates = Arc::new(templates);
    let shared = Arc::new(Shared {
        csrf: csrf::Csrf::new(&settings.secret),
        client_limits: ratelimit::ClientLimits::new(
            settings.sign_in_attempts_per_address,
            std::time::Duration::from_secs(300),
        ),
        api_limits: ratelimit::PerKey::default(),
        store,
        templates,
        settings,
        metrics: Metrics::default(),
        areas: sites
            .iter()
            .map(|s| Area {
                council: s.council.id,
                slug: s.council.slug.clone(),
                name: s.council.name.clone(),
                public_url: s.public_url.clone(),
                boundaries: s.settings.get::<Boundaries>().cloned().unwrap_or_default(),
            })
            .collect(),
        upload_limit: capabilities
            .iter()
            .map(|c| c.largest_file)
            .max()
            .unwrap_or(0)
            + FORM_LIMIT,
        openapi: openapi::merged(capabilities)?,
        panels: {
            let mut panels: Vec<Panel> = capabilities
                .iter()
                .flat_map(|c| c.panels.iter().copied())
                .chain(pages::PANELS.iter().copied())
                .collect();
            panels.sort_by_key(|p| p.rank);
            panels
        },
    });
    let routes = capabilities
        .iter()
        .fold(pages::routes().merge(api::routes()), |router, c| {
            router.merge((c.routes)(&shared.store))
        });
    let mut routers = Vec::with_capacity(sites.len());
    for site in sites {
        // The privacy page and the OpenAPI document name the consent
        // policy's purposes: a site without one is refused now, not on
        // its first visitor.
        site.settings
            .require::<townhall_consent::Policy>()
            .map_err(|missing| SetupError::Unconfigured {
                council: site.council.slug.clone(),
                missing,
            })?;
        let passkeys = Passkeys::new(&site.public_url, &site.council.name).map_err(|source| {
            SetupError::Passkeys {
                council: site.council.slug.clone(),
                source,
            }
        })?;
        let state = AppState {
            shared: shared.clone(),
            site: Arc::new(SiteState {
                council: site.council,
                public_url: site.public_url.clone(),
                settings: site.settings,
                passkeys,
            }),
        };
        routers.push((
            state.site.council.slug.clone(),
            state.site.public_url.clone(),
            site_router(state, routes.clone()),
        ));
    }
    let dispatcher = sites::Dispatcher::new(routers)?;
    let upload_limit = shared.upload_limit;
    Ok(App(ops::routes()
        .with_state(shared)
        .fallback(sites::dispatch)
        .with_state(dispatcher)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(upload_limit))
        .layer(axum::middleware::from_fn(error::plain_rejections))
        .layer(axum::middleware::from_fn(headers::secure))
        .layer(tower_http::trace::TraceLayer::new_for_http())))
}

/// A method the route does not take: a page for people, the API's answer
/// for API clients.
async fn method_not_allowed(uri: axum::http::Uri) -> axum::response::Response {
    error::answer_for(
        uri.path(),
        error::ApiError::new(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "This method is not used here; the Allow header lists those that are",
        )
        .with_code("method_not_allowed"),
        error::AppError::MethodNotAllowed,
    )
}

/// An address nothing answers: a page for people, the API's answer for API
/// clients.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    error::answer_for(
        uri.path(),
        error::ApiError::not_found(
            "Nothing answers at this address; /api/openapi.json lists what does",
        ),
        error::AppError::NotFound,
    )
}

/// Every page and endpoint of one site.
fn site_router(state: AppState, routes: Router<AppState>) -> Router {
    // The answer to a method a route does not take (405, with `Allow`) is set
    // after the CSRF layer, so that it comes without a CSRF check first.
    let router = routes
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::protect,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(text_input::gate))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ));
    let router = if state.site.secure() {
        router.layer(headers::hsts())
    } else {
        router
    };
    router.with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then drains requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app.0.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_site_without_a_consent_policy_is_refused_on_start() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).await.unwrap();
        let site = Site {
            council: Council {
                id: townhall_types::CouncilId::new(),
                slug: "riverside".into(),
                name: "Riverside Borough Council".into(),
            },
            public_url: url::Url::parse("http://localhost:8080/").unwrap(),
            settings: Registry::default(),
        };
        let settings = Settings {
            demo: false,
            secret: vec![7; 32],
            sign_in_attempts_per_address: 20,
            trusted_proxies: Vec::new(),
            forwarded_header: client::ForwardedHeader::XForwardedFor,
            metrics_from: Settings::loopback(),
        };
        let Err(refused) = app(store, Templates::builtin(), settings, vec![site], &[]) else {
            panic!("a site without a consent policy is served");
        };
        assert!(
            refused.to_string().starts_with(
                "site 'riverside': no capability gave this council a townhall_consent::"
            ),
            "{refused}"
        );
    }
}
