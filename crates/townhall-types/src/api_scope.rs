//! What a machine client's API key may do: scopes, written as OAuth 2.0
//! writes them (RFC 6749, section 3.3: space-separated, each a string with
//! no spaces), named `AREA:ACCESS[:WHICH]`.

use std::collections::BTreeSet;
use std::fmt;

/// One thing a key may do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiScope {
    /// `open311:write`: report problems through Open311 (`POST requests`).
    Open311Write,
    /// `consent:read`: ask the consent decision point whether a resident's
    /// information may be shared (`POST /api/v1/consent/decisions`).
    ConsentRead,
    /// `events:read`: read the council's domain events
    /// (`GET /api/v1/events`).
    EventsRead,
    /// `index:write:SYSTEM`: send and withdraw one source system's records
    /// in the resident index, and nothing else.
    IndexWrite {
        /// The system, as the index policy declares it (e.g. `council_tax`).
        system: String,
    },
}

/// Why a scope could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// A key needs at least one scope.
    #[error(
        "give at least one scope: open311:write, consent:read, events:read or index:write:SYSTEM"
    )]
    None,
    /// Not a scope Townhall knows.
    #[error("'{0}' is not a scope; use open311:write, consent:read, events:read or index:write:SYSTEM (SYSTEM in lower-case letters, digits and underscores)")]
    Unknown(String),
}

impl ApiScope {
    /// Reads one scope.
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        match text {
            "open311:write" => Ok(ApiScope::Open311Write),
            "consent:read" => Ok(ApiScope::ConsentRead),
            "events:read" => Ok(ApiScope::EventsRead),
            _ => match text.strip_prefix("index:write:") {
                Some(system)
                    if !system.is_empty()
                        && system
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
                {
                    Ok(ApiScope::IndexWrite {
                        system: system.to_owned(),
                    })
                }
                _ => Err(ScopeError::Unknown(text.to_owned())),
            },
        }
    }
}

impl fmt::Display for ApiScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiScope::Open311Write => f.write_str("open311:write"),
            ApiScope::ConsentRead => f.write_str("consent:read"),
            ApiScope::EventsRead => f.write_str("events:read"),
            ApiScope::IndexWrite { system } => write!(f, "index:write:{system}"),
        }
    }
}

/// The scopes of a key: one or more, each once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiScopes(BTreeSet<ApiScope>);

impl ApiScopes {
    /// The scopes given; none is an error.
    pub fn new(scopes: impl IntoIterator<Item = ApiScope>) -> Result<Self, ScopeError> {
        let set: BTreeSet<ApiScope> = scopes.into_iter().collect();
        if set.is_empty() {
            return Err(ScopeError::None);
        }
        Ok(ApiScopes(set))
    }

    /// Reads the stored form: scopes separated by spaces.
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        let scopes: Vec<ApiScope> = text
            .split_whitespace()
            .map(ApiScope::parse)
            .collect::<Result<_, _>>()?;
        Self::new(scopes)
    }

    /// Whether the key may do `scope`.
    pub fn allows(&self, scope: &ApiScope) -> bool {
        self.0.contains(scope)
    }

    /// Each scope, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = &ApiScope> {
        self.0.iter()
    }
}

impl fmt::Display for ApiScopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{scope}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_as_written() {
        let all = ApiScopes::new([
            ApiScope::IndexWrite {
                system: "council_tax".into(),
            },
            ApiScope::Open311Write,
            ApiScope::ConsentRead,
        ])
        .unwrap();
        assert_eq!(
            all.to_string(),
            "open311:write consent:read index:write:council_tax"
        );
        assert_eq!(ApiScopes::parse(&all.to_string()), Ok(all.clone()));
        assert_eq!(
            ApiScopes::parse("consent:read  consent:read")
                .unwrap()
                .to_string(),
            "consent:read",
            "each once"
        );
        assert_eq!(ApiScopes::parse(" "), Err(ScopeError::None));
        for bad in [
            "index:write:",
            "admin",
            "index:council_tax",
            "index:write:Council Tax",
            "services",
            "open311:read",
        ] {
            assert!(ApiScope::parse(bad).is_err(), "{bad}");
        }
    }
}
