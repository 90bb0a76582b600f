//! The address a request comes from: the TCP peer, or, when the peer is a
//! proxy the deployment trusts (`trusted_proxies`), the client that proxy
//! names in `Forwarded` (RFC 7239) or, failing that, `X-Forwarded-For`.
//!
//! The forwarding headers are read from the right: each trusted proxy appends
//! the address it received the request from, so the first address from the
//! right that is not a trusted proxy is the client. Anything to its left was
//! written by the client and is not believed. A header from a peer that is not
//! trusted is ignored, so nobody can choose the address they are counted under.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::error::AppError;
use crate::AppState;

/// The client's address, for limits and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or_else(|| AppError::Internal("the connection's address is not known".into()))?;
        Ok(ClientAddr(client_address(
            peer.ip(),
            &parts.headers,
            &state.shared.settings.trusted_proxies,
        )))
    }
}

/// The client's address, given the peer, the headers and the trusted proxies.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => client = *ip,
            Some(ip) => return *ip,
            // An obfuscated or unreadable hop: the last trusted one is all we know.
            None => return client,
        }
    }
    client
}

/// The addresses the proxies recorded, leftmost first: from every `Forwarded`
/// header's `for=` (RFC 7239), or, without one, from `X-Forwarded-For`. An
/// element that is not an address (`unknown`, an obfuscated name) is `None`.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|e| e.trim().to_owned())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| node_address(node.trim()))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|node| node_address(node))
        .collect()
}

/// An address as a proxy writes it: `192.0.2.60`, `"192.0.2.60:4711"`,
/// `"[2001:db8::17]:4711"` or `2001:db8::17`.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim_matches('"');
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    node.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_nobody_else_can() {
        let proxy: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let spoofed = headers(&[("x-forwarded-for", "198.51.100.9, 203.0.113.7")]);
        // From the proxy: the rightmost address it did not add itself.
        assert_eq!(
            client_address(ip("10.0.0.2"), &spoofed, &proxy),
            ip("203.0.113.7")
        );
        // From anyone else: the header is theirs to write, and ignored.
        assert_eq!(
            client_address(ip("203.0.113.7"), &spoofed, &proxy),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("203.0.113.7"), &spoofed, &[]),
            ip("203.0.113.7")
        );
        // Two proxies in a row: both skipped.
        let chain = headers(&[("x-forwarded-for", "203.0.113.7, 10.1.1.1")]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &chain, &proxy),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn forwarded_is_read_as_rfc_7239_writes_it() {
        let proxy: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap()];
        for (value, client) in [
            ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
            ("for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
            (
                "for=\"192.0.2.43:47011\", for=198.51.100.17",
                "198.51.100.17",
            ),
            ("For=192.0.2.43", "192.0.2.43"),
        ] {
            let h = headers(&[("forwarded", value), ("x-forwarded-for", "198.51.100.99")]);
            assert_eq!(
                client_address(ip("127.0.0.1"), &h, &proxy),
                ip(client),
                "{value}"
            );
        }
        // An obfuscated client: the proxy is all that is known.
        let h = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(client_address(ip("127.0.0.1"), &h, &proxy), ip("127.0.0.1"));
    }
}
