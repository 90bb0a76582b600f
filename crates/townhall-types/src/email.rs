//! Email addresses checked once, at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an email address was refused, in words a resident can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("Enter an email address")]
    Empty,
    /// The address does not have the shape name@example.com.
    #[error("Enter an email address in the correct format, like name@example.com")]
    Format,
    /// The address is longer than any mail system accepts.
    #[error("Email address must be 254 characters or fewer")]
    TooLong,
}

/// A syntactically valid email address, in lower case: people type the same
/// address with different capitals (`Omar.Haddad@Mail.Example` at sign-up,
/// `omar.haddad@mail.example` at sign-in), and mail systems deliver them
/// alike, so an account is found however its address is typed.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Checks and normalises an address typed by a person.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Format)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c.is_control());
        if !domain_ok || !local_ok {
            return Err(EmailError::Format);
        }
        Ok(Self(format!(
            "{}@{}",
            local.to_lowercase(),
            domain.to_ascii_lowercase()
        )))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> Self {
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let e = EmailAddress::parse("  Martin.Jones@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "martin.jones@example.org");
        let e = EmailAddress::parse("ZOË.Ødegaard@example.org").unwrap();
        assert_eq!(e.as_str(), "zoë.ødegaard@example.org");
    }

    #[test]
    fn rejects_each_kind_of_mistake() {
        let cases = [
            ("", EmailError::Empty),
            ("martin", EmailError::Format),
            ("martin@", EmailError::Format),
            ("@example.org", EmailError::Format),
            ("martin@example", EmailError::Format),
            ("mar tin@example.org", EmailError::Format),
            ("martin@exa..mple.org", EmailError::Format),
        ];
        for (input, expected) in cases {
            assert_eq!(EmailAddress::parse(input), Err(expected), "{input}");
        }
    }
}
