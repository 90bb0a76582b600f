//! Council services as data.
//!
//! Each service is a TOML file in the council's `services/` directory: its
//! questions and their validation, who may use it, where its cases go, the
//! statuses they move through, its deadline, fee, bookable days and any permit
//! it issues. Files are checked on load with file and line errors, and the
//! checked [`Service`] is what the platform publishes at `/services/{id}/rules`.
//! Nothing here does I/O beyond reading the files.

mod booking;
mod deadline;
pub mod demo;
pub mod eligibility;
mod missed;
mod question;
pub mod routing;
mod service;
mod workflow;

use std::path::Path;

pub use booking::{Booking, Slot};
pub use deadline::Deadline;
pub use missed::MissedCollection;
pub use question::{
    check_answers, date_from_parts, field, read_date, Answer, Answers, Choice, DateRule,
    FieldErrors, FormInput, LocationInput, LocationKind, Prefill, Question, QuestionKind,
    TextFormat,
};
pub use service::{parse, Duplicates, Fee, KnownAreas, Permit, Service};
use townhall_types::SourceError;
pub use workflow::{Status, Workflow};

/// A council's services, in the order of their file names.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    services: Vec<Service>,
}

/// The services directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A file or the directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What was being read.
        path: String,
        /// Why not.
        source: std::io::Error,
    },
    /// A file has a mistake.
    #[error(transparent)]
    File(#[from] SourceError),
}

impl Catalogue {
    /// Loads every `*.toml` file in `dir`.
    pub fn load_dir(dir: &Path, areas: &dyn KnownAreas) -> Result<Self, CatalogueError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| CatalogueError::Io { path, source }
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut services = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            services.push(parse(&path.display().to_string(), &text, areas)?);
        }
        Ok(Self { services })
    }

    /// From services already checked.
    pub fn new(services: Vec<Service>) -> Self {
        Self { services }
    }

    /// Every service.
    pub fn all(&self) -> &[Service] {
        &self.services
    }

    /// A service by id.
    pub fn get(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }
}

/// This capability's manifest. Services are files, read and checked when a
/// site starts: nothing is stored.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "services",
    migrations: &[],
    events: &[],
    configure: Some(configure),
    demo: Some(demo::seed),
    jobs: &[],
    scopes: &[],
};

/// Puts the council's services, from the `services` directory of its
/// configuration (none when there is no such directory), checked against
/// its areas, in its settings.
fn configure(setup: townhall_kernel::Setup<'_>) -> townhall_kernel::Loading<'_> {
    Box::pin(async move {
        let areas: &townhall_places::Boundaries = setup.settings.require()?;
        let dir = setup.dir.join("services");
        let catalogue = if dir.exists() {
            Catalogue::load_dir(&dir, areas).map_err(townhall_kernel::ConfigError::new)?
        } else {
            tracing::info!(council = %setup.slug, dir = %dir.display(), "no services directory: no services published");
            Catalogue::default()
        };
        setup.settings.insert(catalogue)?;
        Ok(())
    })
}
