//! What a machine client's API key is for.

use std::fmt;

/// What an API key may be used for. A key is issued for one scope, so a key
/// leaked from one system opens nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ApiScope {
    /// The council's services to apps and partners: reporting through
    /// Open311 and asking the consent decision point.
    Services,
    /// Writing one source system's records to the resident index, and
    /// nothing else.
    IndexWriter {
        /// The system, as the index policy declares it (e.g. `council_tax`).
        system: String,
    },
}

impl ApiScope {
    /// Reads the stored form: `services` or `index:SYSTEM`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.split_once(':') {
            None if text == "services" => Some(ApiScope::Services),
            Some(("index", system)) if !system.is_empty() => Some(ApiScope::IndexWriter {
                system: system.to_owned(),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for ApiScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiScope::Services => f.write_str("services"),
            ApiScope::IndexWriter { system } => write!(f, "index:{system}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_as_written() {
        for scope in [
            ApiScope::Services,
            ApiScope::IndexWriter {
                system: "council_tax".into(),
            },
        ] {
            assert_eq!(ApiScope::parse(&scope.to_string()), Some(scope));
        }
        for bad in ["", "index:", "admin", "index"] {
            assert_eq!(ApiScope::parse(bad), None, "{bad}");
        }
    }
}
