//! The address a request comes from: the TCP peer, or, when the peer is a
//! proxy the deployment trusts (`trusted_proxies`), the client that proxy
//! names in the one forwarding header it writes (`X-Forwarded-For`, as nginx,
//! Caddy, HAProxy and cloud load balancers do, or RFC 7239's `Forwarded`).
//! Only that header is read: a proxy passes the other through from the
//! client unchanged, so believing it would let a client choose its address.
//!
//! The header is read from the right: each trusted proxy appends the address
//! it received the request from, so the first address from the right that is
//! not a trusted proxy is the client. Anything to its left was written by the
//! client and is not believed. A header from a peer that is not trusted is
//! ignored. A hop the header does not give as an address (`unknown`, an
//! obfuscated name) makes the client [`UNKNOWN`], never the proxy, so nobody
//! can pass for it.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::error::AppError;
use crate::AppState;

/// The client of a request whose proxy could not say who it was: `::`, the
/// unspecified address, which no one can connect from and no setting lists.
pub const UNKNOWN: IpAddr = IpAddr::V6(Ipv6Addr::UNSPECIFIED);

/// The forwarding header the trusted proxies write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1`.
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

/// The client's address, for limits and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// What limits count under: an IPv6 client by its /64 network, which one
    /// household or device is usually given whole; an IPv4 client by its
    /// address.
    pub fn limit_key(self) -> IpAddr {
        match self.0 {
            IpAddr::V6(v6) => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
            v4 => v4,
        }
    }

    /// The site an IPv6 client's /64 belongs to, its /48, which a provider
    /// gives one customer whole: someone holding one has 65,536 networks to
    /// try from. None for IPv4, whose addresses are shared, not plentiful.
    pub fn site_key(self) -> Option<IpAddr> {
        match self.0 {
            IpAddr::V6(v6) => {
                let s = v6.segments();
                Some(IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0)))
            }
            IpAddr::V4(_) => None,
        }
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or_else(|| AppError::Internal("the connection's address is not known".into()))?;
        let settings = &state.shared.settings;
        Ok(ClientAddr(client_address(
            peer.ip(),
            &parts.headers,
            &settings.trusted_proxies,
            settings.forwarded_header,
        )))
    }
}

/// The client's address, given the peer, the headers, the trusted proxies and
/// the header they write.
pub fn client_address(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    for hop in forwarded_for(headers, header).iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => {}
            Some(ip) => return *ip,
            None => return UNKNOWN,
        }
    }
    // Only proxies: the request began at one of them.
    peer
}

/// The addresses the proxies recorded, leftmost first. An element that is not
/// an address (`unknown`, an obfuscated name) is `None`.
fn forwarded_for(headers: &HeaderMap, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    let name = match header {
        ForwardedHeader::XForwardedFor => "x-forwarded-for",
        ForwardedHeader::Forwarded => "forwarded",
    };
    let elements: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap_or("unreadable"))
        .flat_map(|v| v.split(','))
        .map(|e| e.trim().to_owned())
        .collect();
    elements
        .iter()
        .map(|element| match header {
            ForwardedHeader::XForwardedFor => node_address(element),
            ForwardedHeader::Forwarded => element
                .split(';')
                .filter_map(|pair| pair.trim().split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, node)| node_address(node.trim())),
        })
        .collect()
}

/// An address as a proxy writes it: `192.0.2.60`, `"192.0.2.60:4711"`,
/// `"[2001:db8::17]:4711"` or `2001:db8::17`; IPv4 written as IPv6
/// (`::ffff:192.0.2.60`) is read as IPv4.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim_matches('"');
    let ip: Option<IpAddr> = node.parse().ok().or_else(|| {
        if let Some(rest) = node.strip_prefix('[') {
            rest.split_once(']').and_then(|(ip, _)| ip.parse().ok())
        } else {
            node.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
        }
    });
    ip.map(|ip| ip.to_canonical())
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
        let xff = ForwardedHeader::XForwardedFor;
        assert_eq!(
            client_address(ip("10.0.0.2"), &spoofed, &proxy, xff),
            ip("203.0.113.7")
        );
        // From anyone else: the header is theirs to write, and ignored.
        assert_eq!(
            client_address(ip("203.0.113.7"), &spoofed, &proxy, xff),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("203.0.113.7"), &spoofed, &[], xff),
            ip("203.0.113.7")
        );
        // Two proxies in a row: both skipped.
        let chain = headers(&[("x-forwarded-for", "203.0.113.7, 10.1.1.1")]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &chain, &proxy, xff),
            ip("203.0.113.7")
        );
        // The header the proxy does not write is the client's: not read.
        let other = headers(&[
            ("forwarded", "for=198.51.100.1"),
            ("x-forwarded-for", "203.0.113.7"),
        ]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &other, &proxy, xff),
            ip("203.0.113.7")
        );
        // An unreadable hop is nobody in particular, never the proxy.
        let hidden = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &hidden, &proxy, xff),
            UNKNOWN
        );
        // IPv4 seen through an IPv6 socket is IPv4.
        assert_eq!(
            client_address(ip("::ffff:203.0.113.7"), &HeaderMap::new(), &[], xff),
            ip("203.0.113.7")
        );
        assert_eq!(
            ClientAddr(ip("2001:db8:1:2:aaaa::1")).limit_key(),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            ClientAddr(ip("2001:db8:1:2:aaaa::1")).site_key(),
            Some(ip("2001:db8:1::"))
        );
        assert_eq!(ClientAddr(ip("203.0.113.7")).site_key(), None);
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
                client_address(ip("127.0.0.1"), &h, &proxy, ForwardedHeader::Forwarded),
                ip(client),
                "{value}"
            );
        }
        // An obfuscated client is nobody in particular.
        let h = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &proxy, ForwardedHeader::Forwarded),
            UNKNOWN
        );
    }
}
