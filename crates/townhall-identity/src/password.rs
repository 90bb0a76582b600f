//! Password rules and argon2id hashing.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Why a new password was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    /// Nothing was entered.
    #[error("Enter a password")]
    Missing,
    /// Only spaces.
    #[error("Password must have something other than spaces in it")]
    Blank,
    /// Shorter than 8 characters.
    #[error("Password must be 8 characters or more")]
    TooShort,
    /// Longer than 256 characters.
    #[error("Password must be 256 characters or fewer")]
    TooLong,
    /// One of the passwords tried first by attackers.
    #[error(
        "That password is too easy to guess. Try three random words, like 'kettle river jumper'"
    )]
    TooCommon,
}

const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "qwerty123",
    "iloveyou",
    "11111111",
    "00000000",
    "abc12345",
    "letmein1",
    "welcome1",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "trustno1",
    "passw0rd",
    "liverpool",
    "chelsea1",
    "arsenal1",
    "monkey123",
    "qwerty12",
];

/// Checks a new password against the rules (length, and not a well-known one).
pub fn check_rules(password: &str) -> Result<(), PasswordRuleError> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err(PasswordRuleError::Missing);
    }
    if password.trim().is_empty() {
        return Err(PasswordRuleError::Blank);
    }
    if chars < 8 {
        return Err(PasswordRuleError::TooShort);
    }
    if chars > 256 {
        return Err(PasswordRuleError::TooLong);
    }
    if COMMON.contains(&password.to_lowercase().as_str()) {
        return Err(PasswordRuleError::TooCommon);
    }
    Ok(())
}

/// Hashes a password with argon2id and a fresh salt. CPU-heavy: call off the async runtime.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Checks a password against a stored hash. CPU-heavy: call off the async runtime.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs [`hash`] on the blocking pool.
pub async fn hash_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .unwrap_or_default()
}

/// Runs [`verify`] on the blocking pool.
pub async fn verify_async(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &stored))
        .await
        .unwrap_or(false)
}

/// A hash checked when an account does not exist or has no password, so that
/// the time taken does not reveal which addresses have accounts. Of a random
/// secret made afresh by each process, so no password can match it; and a
/// match would count for nothing, since only a stored hash lets anyone in.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&crate::random_token()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("kettle river jumper");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("kettle river jumper", &h));
        assert!(!verify("kettle river jumpers", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn rules() {
        assert_eq!(check_rules("short"), Err(PasswordRuleError::TooShort));
        assert_eq!(check_rules(""), Err(PasswordRuleError::Missing));
        assert_eq!(check_rules("        "), Err(PasswordRuleError::Blank));
        assert_eq!(
            check_rules("\t \u{a0}  \n   "),
            Err(PasswordRuleError::Blank)
        );
        assert_eq!(check_rules("Password1"), Err(PasswordRuleError::TooCommon));
        assert_eq!(
            check_rules(&"x".repeat(257)),
            Err(PasswordRuleError::TooLong)
        );
        assert_eq!(check_rules("kettle river jumper"), Ok(()));
    }
}
