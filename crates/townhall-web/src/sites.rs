//! Which council a request is for, from its host name.
//!
//! Each site answers on the host (and port, when not the scheme's default) of
//! its public address. A server with a single site answers for it on any host,
//! so it works behind a proxy or by IP address; with several, a request for a
//! host no site claims is refused with 421 Misdirected Request rather than
//! shown another council's pages.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use maud::html;
use tower::ServiceExt;

use crate::{layout, SetupError};

/// The routers of every site, by host.
#[derive(Clone)]
pub struct Dispatcher {
    by_host: Arc<HashMap<String, Router>>,
    only: Option<Router>,
}

impl Dispatcher {
    /// From each site's council slug, public address and router.
    pub fn new(sites: Vec<(String, url::Url, Router)>) -> Result<Self, SetupError> {
        let only = match sites.as_slice() {
            [] => return Err(SetupError::NoSites),
            [(_, _, router)] => Some(router.clone()),
            _ => None,
        };
        let mut by_host = HashMap::with_capacity(sites.len());
        let mut owners: HashMap<String, String> = HashMap::with_capacity(sites.len());
        for (council, url, router) in sites {
            if owners.values().any(|c| *c == council) {
                return Err(SetupError::DuplicateCouncil(council));
            }
            let host = url
                .host_str()
                .map(|h| key(h, url.port()))
                .ok_or_else(|| SetupError::NoHost(url.clone()))?;
            if let Some(first) = owners.get(&host) {
                return Err(SetupError::SharedHost {
                    host,
                    first: first.clone(),
                    second: council,
                });
            }
            owners.insert(host.clone(), council);
            by_host.insert(host, router);
        }
        Ok(Self {
            by_host: Arc::new(by_host),
            only,
        })
    }

    fn route(&self, host: Option<&str>) -> Option<&Router> {
        self.only
            .as_ref()
            .or_else(|| host.and_then(|h| self.by_host.get(h)))
    }
}

/// Hands the request to its site's router.
pub async fn dispatch(State(sites): State<Dispatcher>, request: Request) -> Response {
    let host = request_host(&request);
    match sites.route(host.as_deref()) {
        Some(router) => match router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => misdirected(host.as_deref()),
    }
}

/// The request's host as a lookup key: from the Host header (HTTP/1.1) or the
/// request target (HTTP/2).
fn request_host(request: &Request) -> Option<String> {
    let authority = match request.headers().get(header::HOST) {
        Some(value) => value.to_str().ok()?.parse::<Authority>().ok()?,
        None => request.uri().authority()?.clone(),
    };
    Some(key(authority.host(), authority.port_u16()))
}

/// Lower case, no trailing dot, and the port only when it is not 80 or 443, so
/// `Riverside.example.:443` and `riverside.example` are the same site.
fn key(host: &str, port: Option<u16>) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match port {
        Some(p) if p != 80 && p != 443 => format!("{host}:{p}"),
        _ => host,
    }
}

fn misdirected(host: Option<&str>) -> Response {
    let title = "This address is not served here";
    let body = layout::bare(
        title,
        html! {
            h1 { (title) }
            @match host {
                Some(h) => p { "This server does not answer for " (h) ". Check the web address you used." },
                None => p { "Your request did not say which web address it was for. Check the web address you used." },
            }
        },
    );
    (StatusCode::MISDIRECTED_REQUEST, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keys_ignore_case_trailing_dots_and_default_ports() {
        assert_eq!(key("Riverside.Example.", Some(443)), "riverside.example");
        assert_eq!(key("riverside.example", None), "riverside.example");
        assert_eq!(key("localhost", Some(8080)), "localhost:8080");
        assert_eq!(key("[::1]", Some(80)), "[::1]");
    }

    fn site(slug: &str, url: &str) -> (String, url::Url, Router) {
        (
            slug.to_owned(),
            url::Url::parse(url).unwrap(),
            Router::new(),
        )
    }

    #[test]
    fn one_site_answers_for_any_host_several_only_for_their_own() {
        let one = Dispatcher::new(vec![site("a", "https://a.example")]).unwrap();
        assert!(one.route(Some("10.0.0.7:8080")).is_some());
        assert!(one.route(None).is_some());
        let two = Dispatcher::new(vec![
            site("a", "https://a.example"),
            site("b", "http://b.example:8080/"),
        ])
        .unwrap();
        assert!(two.route(Some("a.example")).is_some());
        assert!(two.route(Some("b.example:8080")).is_some());
        assert!(two.route(Some("b.example")).is_none());
        assert!(two.route(Some("c.example")).is_none());
        assert!(two.route(None).is_none());
    }

    #[test]
    fn ambiguous_sites_are_refused_with_the_reason() {
        let e = Dispatcher::new(vec![
            site("a", "https://shared.example"),
            site("b", "https://SHARED.example:443/b"),
        ])
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "sites 'a' and 'b' both use the host shared.example; give each council its own"
        );
        let e = Dispatcher::new(vec![
            site("a", "https://a.example"),
            site("a", "https://b.example"),
        ])
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "council 'a' is configured as more than one site"
        );
        assert!(matches!(Dispatcher::new(vec![]), Err(SetupError::NoSites)));
    }
}
