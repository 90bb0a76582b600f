//! How a capability reads a council's configuration: its files in the
//! council's configuration directory, checked on load (their errors name
//! the file and line), and what it needs from the store, put in the
//! council's [`Registry`] for the pages, commands and jobs that use it.
//! Capabilities are configured in the order the binary lists them, so each
//! finds the settings of those it builds on.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use townhall_store::{Progress, Store};
use townhall_types::CouncilId;

use crate::Registry;

/// What a capability is configured from, for one council.
pub struct Setup<'a> {
    /// The store, to read what the configuration is checked against.
    pub store: &'a Store,
    /// The council.
    pub council: CouncilId,
    /// Its slug, to name it in errors and logs.
    pub slug: &'a str,
    /// The address its residents use.
    pub public_url: &'a url::Url,
    /// Its configuration directory (`consent.toml`, `services/`, …).
    pub dir: &'a Path,
    /// Told how a long load goes.
    pub progress: &'a dyn Progress,
    /// The council's settings: those of capabilities listed earlier, and
    /// where this one puts its own.
    pub settings: &'a mut Registry,
}

/// The text of a configuration file, or an error naming it.
pub fn read_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(format!("cannot read {}: {e}", path.display())))
}

/// A capability's configuration, loaded: what it put in [`Setup::settings`],
/// or why the council cannot be served.
pub type Loading<'a> = Pin<Box<dyn Future<Output = Result<(), ConfigError>> + Send + 'a>>;

/// How a capability loads its configuration for one council.
pub type Configure = for<'a> fn(Setup<'a>) -> Loading<'a>;

/// Why a council's configuration was refused, in words for whoever
/// deploys it (a file and line where there is one).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(Box<dyn std::error::Error + Send + Sync>);

impl From<crate::Missing> for ConfigError {
    fn from(e: crate::Missing) -> Self {
        ConfigError::new(e)
    }
}

impl From<crate::Taken> for ConfigError {
    fn from(e: crate::Taken) -> Self {
        ConfigError::new(e)
    }
}

impl From<townhall_store::StoreError> for ConfigError {
    fn from(e: townhall_store::StoreError) -> Self {
        ConfigError::new(e)
    }
}

impl ConfigError {
    /// The reason, from any error or message.
    pub fn new(reason: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ConfigError(reason.into())
    }
}
