//! Reading and writing cookies, with the attributes Townhall always uses.

use axum::http::{header, HeaderMap, HeaderValue};

/// The value of cookie `name` in the request, if present.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure over TLS.
pub fn set(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that removes cookie `name`.
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", Some(0), secure)
}

/// The session cookie's name: `__Host-` prefixed when served over TLS.
pub fn session_name(secure: bool) -> &'static str {
    if secure {
        "__Host-townhall_session"
    } else {
        "townhall_session"
    }
}

/// The CSRF cookie's name.
pub fn csrf_name(secure: bool) -> &'static str {
    if secure {
        "__Host-townhall_csrf"
    } else {
        "townhall_csrf"
    }
}

/// The device cookie's name ([`crate::csrf::Csrf::device`]).
pub fn device_name(secure: bool) -> &'static str {
    if secure {
        "__Host-townhall_device"
    } else {
        "townhall_device"
    }
}
