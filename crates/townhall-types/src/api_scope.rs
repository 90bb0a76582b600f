//! What a machine client's API key may do: scopes, written as OAuth 2.0
//! writes them (RFC 6749, section 3.3: space-separated, each a string with
//! no spaces), named `AREA:ACCESS[:WHICH]`.
//!
//! A scope here is only its shape; which scopes exist is declared by the
//! capabilities (each manifest's `scopes`, as [`ScopeKind`]s), so that a new
//! capability brings its own without a change here.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

/// What a scope lets a key do in its area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    /// `read`.
    Read,
    /// `write`.
    Write,
}

impl Access {
    fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// One thing a key may do: an area (`open311`), what it may do there, and
/// for some areas which part of it (`index:write:council_tax`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiScope {
    area: Cow<'static, str>,
    access: Access,
    which: Option<String>,
}

/// Why a scope could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// A key needs at least one scope.
    #[error("give at least one scope")]
    None,
    /// Not written as a scope is.
    #[error("'{0}' is not a scope: write AREA:read or AREA:write, or AREA:ACCESS:WHICH (lower-case letters, digits and underscores)")]
    Malformed(String),
}

impl ApiScope {
    /// `AREA:read`.
    pub const fn read(area: &'static str) -> Self {
        ApiScope {
            area: Cow::Borrowed(area),
            access: Access::Read,
            which: None,
        }
    }

    /// `AREA:write`.
    pub const fn write(area: &'static str) -> Self {
        ApiScope {
            area: Cow::Borrowed(area),
            access: Access::Write,
            which: None,
        }
    }

    /// The same scope for one part of its area, `AREA:ACCESS:WHICH`.
    pub fn of(self, which: impl Into<String>) -> Self {
        ApiScope {
            which: Some(which.into()),
            ..self
        }
    }

    /// Its area, e.g. `open311`.
    pub fn area(&self) -> &str {
        &self.area
    }

    /// What it may do there.
    pub fn access(&self) -> Access {
        self.access
    }

    /// Which part of the area, if the scope names one.
    pub fn which(&self) -> Option<&str> {
        self.which.as_deref()
    }

    /// Reads one scope, by its shape.
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        let malformed = || ScopeError::Malformed(text.to_owned());
        let word = |w: &str| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        let mut parts = text.split(':');
        let area = parts.next().filter(|a| word(a)).ok_or_else(malformed)?;
        let access = match parts.next() {
            Some("read") => Access::Read,
            Some("write") => Access::Write,
            _ => return Err(malformed()),
        };
        let which = match parts.next() {
            None => None,
            Some(w) if word(w) => Some(w.to_owned()),
            Some(_) => return Err(malformed()),
        };
        if parts.next().is_some() {
            return Err(malformed());
        }
        Ok(ApiScope {
            area: Cow::Owned(area.to_owned()),
            access,
            which,
        })
    }
}

impl fmt::Display for ApiScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.area, self.access.as_str())?;
        if let Some(which) = &self.which {
            write!(f, ":{which}")?;
        }
        Ok(())
    }
}

/// A kind of scope a capability offers its API's clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeKind {
    /// The scope, without the part it may name.
    pub scope: ApiScope,
    /// What its `WHICH` names (e.g. `SYSTEM`), when a key's scope must
    /// name one.
    pub which: Option<&'static str>,
    /// What its `WHICH` may not name, and why (e.g. the resident index's
    /// `accounts`, which Townhall links itself).
    pub reserved: &'static [Reserved],
    /// What a key with it may do, in a line.
    pub about: &'static str,
}

/// A value a kind of scope's `WHICH` may not name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserved {
    /// The value.
    pub which: &'static str,
    /// Why no key may name it, in words that follow the value.
    pub why: &'static str,
}

impl ScopeKind {
    /// Whether `scope` is of this kind.
    pub fn admits(&self, scope: &ApiScope) -> bool {
        scope.area() == self.scope.area()
            && scope.access() == self.scope.access()
            && scope.which().is_some() == self.which.is_some()
    }

    /// Why `scope`, of this kind, may not be given to a key, if it names a
    /// reserved value: "'accounts' holds residents' online accounts, …".
    pub fn refusal(&self, scope: &ApiScope) -> Option<String> {
        let which = scope.which()?;
        self.reserved
            .iter()
            .find(|r| self.admits(scope) && r.which == which)
            .map(|r| format!("'{which}' {}", r.why))
    }
}

impl fmt::Display for ScopeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.scope)?;
        if let Some(which) = self.which {
            write!(f, ":{which}")?;
        }
        Ok(())
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
            ApiScope::write("index").of("council_tax"),
            ApiScope::write("open311"),
            ApiScope::read("consent"),
        ])
        .unwrap();
        assert_eq!(
            all.to_string(),
            "consent:read index:write:council_tax open311:write"
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
            "Index:write",
            "open311:delete",
            "index:write:a:b",
        ] {
            assert!(ApiScope::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_kind_admits_its_scopes_and_says_how_they_are_written() {
        let systems = ScopeKind {
            scope: ApiScope::write("index"),
            which: Some("SYSTEM"),
            reserved: &[Reserved {
                which: "accounts",
                why: "is Townhall's own",
            }],
            about: "send one system's records",
        };
        assert!(systems.admits(&ApiScope::write("index").of("council_tax")));
        assert!(!systems.admits(&ApiScope::write("index")));
        assert!(!systems.admits(&ApiScope::read("index").of("council_tax")));
        assert_eq!(systems.to_string(), "index:write:SYSTEM");
        assert_eq!(
            systems.refusal(&ApiScope::write("index").of("accounts")),
            Some("'accounts' is Townhall's own".to_owned())
        );
        assert_eq!(
            systems.refusal(&ApiScope::write("index").of("council_tax")),
            None
        );
        assert_eq!(
            systems.refusal(&ApiScope::read("index").of("accounts")),
            None
        );
        let reports = ScopeKind {
            scope: ApiScope::write("open311"),
            which: None,
            reserved: &[],
            about: "report problems",
        };
        assert!(reports.admits(&ApiScope::parse("open311:write").unwrap()));
        assert!(!reports.admits(&ApiScope::write("open311").of("x")));
    }
}
