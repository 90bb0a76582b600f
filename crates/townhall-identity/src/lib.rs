//! Accounts and everything about proving who someone is.
//!
//! Residents, staff and partners each have a [`User`] with an email address.
//! Passwords are hashed with argon2id ([`password`]); passkeys use WebAuthn
//! ([`passkeys`]); sessions live in the store and only a hash of their token is
//! kept ([`sessions`]). Repeated wrong passwords lock an account for a while
//! ([`accounts::SignInError::Locked`]). Staff have one role and may belong to a
//! team ([`staff`]); a partner organisation's staff have one role in it
//! ([`partner_staff`]). What sends email (signing up, a forgotten password, a
//! lock, a reset) is in [`recovery`], whose answers never tell who has an
//! account.
//!
//! This crate reads resident profiles only for their owner; anyone else's read
//! goes through [`profiles::read_as`], which writes the audit entry.

pub mod accounts;
pub mod admin;
pub mod api_keys;
pub mod break_glass;
pub mod demo;
pub mod devices;
pub mod lockout;
mod mail;
pub mod partner_staff;
pub mod passkeys;
pub mod password;
pub mod permissions;
pub mod profiles;
pub mod recovery;
pub mod sessions;
pub mod staff;
pub mod tokens;

pub use accounts::{AccountError, SignInError, User, UserKind};
pub use partner_staff::{PartnerRole, PartnerStaffMember};
pub use staff::{Role, StaffMember};

use townhall_store::{Migration, StoreError};

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "identity",
    migrations: MIGRATIONS,
    events: &[],
    configure: None,
    demo: Some(demo::seed),
    jobs: &[],
    scopes: &[],
};

/// Schema for accounts, sessions, passkeys and staff.
pub const MIGRATIONS: &[Migration] = &[
    Migration::portable(
        2026112303,
        "identity",
        include_str!("../migrations/0001_identity.sql"),
    ),
    Migration::portable(
        2026120402,
        "api_key_scopes",
        include_str!("../migrations/0002_api_key_scopes.sql"),
    ),
    Migration::portable(
        2026120602,
        "api_key_limits",
        include_str!("../migrations/0003_api_key_limits.sql"),
    ),
    Migration::portable(
        2026120605,
        "sign_in_failures",
        include_str!("../migrations/0004_sign_in_failures.sql"),
    ),
    Migration::portable(
        2026120606,
        "break_glass_reads",
        include_str!("../migrations/0005_break_glass.sql"),
    ),
    Migration::portable(
        2026120607,
        "sign_in_failures_window",
        include_str!("../migrations/0006_sign_in_failures_window.sql"),
    ),
    Migration::portable(
        2026120608,
        "resident_search_name",
        include_str!("../migrations/0007_resident_search_name.sql"),
    ),
    Migration::portable(
        2026120701,
        "discoverable_sign_in",
        include_str!("../migrations/0008_discoverable_sign_in.sql"),
    ),
    Migration::portable(
        2026120702,
        "link_emails",
        include_str!("../migrations/0009_link_emails.sql"),
    ),
    Migration::portable(
        2026120703,
        "email_lower_case",
        include_str!("../migrations/0010_email_lower_case.sql"),
    ),
    Migration::portable(
        2026120704,
        "api_key_scope_names",
        include_str!("../migrations/0011_api_key_scope_names.sql"),
    ),
    Migration::portable(
        2026120705,
        "known_devices",
        include_str!("../migrations/0012_known_devices.sql"),
    ),
    Migration::portable(
        2026120714,
        "partner_staff",
        include_str!("../migrations/0013_partner_staff.sql"),
    ),
    Migration::portable(
        2026120801,
        "residents_home",
        include_str!("../migrations/0014_residents_home.sql"),
    ),
];

/// A random secret of 32 bytes as URL-safe base64, for tokens sent to people.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: its SHA-256, so a copy of the store cannot be used to sign in.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn decode_err(msg: impl Into<String>) -> StoreError {
    StoreError::decode(msg)
}
