//! The demo council: one fictional council that every capability seeds its
//! part of, in the order the platform lists them, each from a random stream
//! of its own (so a capability added to the list changes nothing of the
//! others' parts), so that the same list always seeds the same council and
//! its residents, homes, consent choices and other systems' records agree.
//!
//! What a capability seeds that those after it build on goes in
//! [`Seeding::seeded`]: places puts the council's [`CouncilId`](townhall_types::CouncilId) and its
//! [`Homes`], identity its [`Residents`]. Those two shapes are the kernel's,
//! so that a capability seeds people at the council's homes through them,
//! not through the crates that made them.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use rand::rngs::StdRng;
use rand::SeedableRng;
use townhall_store::{Progress, Store};
use townhall_types::UserId;

use crate::{Missing, Registry, Taken};

/// What a capability seeds the demo council with.
pub struct Seeding<'a> {
    /// The store, migrated and empty of the demo council.
    pub store: &'a Store,
    /// The council's configuration directory, where a capability writes the
    /// demo's files (its consent policy, its services, …).
    pub dir: &'a Path,
    /// This capability's random stream: the same on every seeding.
    pub rng: &'a mut StdRng,
    /// Told how the seeding goes.
    pub progress: &'a dyn Progress,
    /// What the capabilities listed earlier seeded, and where this one puts
    /// what it seeds for those after it.
    pub seeded: &'a mut Registry,
}

impl Seeding<'_> {
    /// Writes one of the demo's configuration files, `name` relative to
    /// the configuration directory (folders made as needed).
    pub fn write_file(&self, name: &str, text: &str) -> Result<(), SeedError> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| SeedError::new(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| SeedError::new(format!("cannot write {}: {e}", path.display())))
    }
}

/// The random stream of capability `name` under `seed`: the seed's bytes,
/// then the name's folded into the rest.
pub(crate) fn stream(seed: u64, name: &str) -> StdRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (i, b) in name.bytes().enumerate() {
        bytes[8 + i % 24] ^= b;
    }
    StdRng::from_seed(bytes)
}

/// A capability's part of the demo council, seeded, or why not.
pub type Sowing<'a> = Pin<Box<dyn Future<Output = Result<(), SeedError>> + Send + 'a>>;

/// How a capability seeds its part of the demo council.
pub type Seed = for<'a> fn(Seeding<'a>) -> Sowing<'a>;

/// Why the demo council could not be seeded.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SeedError(Box<dyn std::error::Error + Send + Sync>);

impl SeedError {
    /// The reason, from any error or message.
    pub fn new(reason: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        SeedError(reason.into())
    }
}

impl From<townhall_store::StoreError> for SeedError {
    fn from(e: townhall_store::StoreError) -> Self {
        SeedError::new(e)
    }
}

impl From<Missing> for SeedError {
    fn from(e: Missing) -> Self {
        SeedError::new(e)
    }
}

impl From<Taken> for SeedError {
    fn from(e: Taken) -> Self {
        SeedError::new(e)
    }
}

/// A home in the demo council's address gazetteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// Its Unique Property Reference Number, twelve digits.
    pub uprn: String,
    /// Its first line, e.g. `12 Mill Lane`.
    pub line1: String,
    /// Its town.
    pub town: String,
    /// Its postcode.
    pub postcode: String,
}

/// The demo council's homes, as places seeded them.
#[derive(Debug, Clone, Default)]
pub struct Homes(pub Vec<Home>);

/// A demo resident with an account.
#[derive(Debug, Clone)]
pub struct Resident {
    /// Their account.
    pub account: UserId,
    /// Their given name.
    pub given_name: String,
    /// Their family name.
    pub family_name: String,
    /// Their date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Their email address.
    pub email: String,
    /// Their phone number.
    pub phone: String,
    /// Where they live.
    pub home: Home,
}

/// The demo council's residents, as identity seeded them: the first is
/// Martin Hughes, whose story the demo tells.
#[derive(Debug, Clone, Default)]
pub struct Residents(pub Vec<Resident>);
