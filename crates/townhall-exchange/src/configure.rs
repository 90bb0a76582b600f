//! The council's data-sharing agreements, read from `agreements/*.toml` in
//! its configuration directory when a site starts: each checked against the
//! consent policy and the partners registered, each id once.

use townhall_kernel::{read_file, ConfigError, Loading, Setup};

use crate::agreement::Agreement;
use crate::partners;

/// The council's data-sharing agreements, in force or not, by file name.
#[derive(Debug, Clone, Default)]
pub struct Agreements(pub Vec<Agreement>);

impl Agreements {
    /// The agreement with id `id`.
    pub fn get(&self, id: &str) -> Option<&Agreement> {
        self.0.iter().find(|a| a.id == id)
    }
}

/// Puts the council's agreements in its settings (none when it has no
/// `agreements` directory), and its hub key (made the first time).
pub(crate) fn configure(setup: Setup<'_>) -> Loading<'_> {
    Box::pin(async move {
        let policy: &townhall_consent::Policy = setup.settings.require()?;
        let registered = partners::list(setup.store, setup.council)
            .await
            .map_err(ConfigError::new)?;
        let ids: Vec<&str> = registered.iter().map(|p| p.id.as_str()).collect();
        let dir = setup.dir.join("agreements");
        let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(ConfigError::new(format!(
                    "cannot read {}: {e}",
                    dir.display()
                )))
            }
        };
        files.sort();
        let mut agreements: Vec<(String, Agreement)> = Vec::with_capacity(files.len());
        for path in files {
            let name = path.display().to_string();
            let text = read_file(&path)?;
            let agreement =
                Agreement::parse(&name, &text, policy, &ids).map_err(ConfigError::new)?;
            if let Some((first, _)) = agreements.iter().find(|(_, a)| a.id == agreement.id) {
                return Err(ConfigError::new(format!(
                    "{name}: the agreement id '{}' is already {first}'s",
                    agreement.id
                )));
            }
            agreements.push((name, agreement));
        }
        setup
            .settings
            .insert(Agreements(agreements.into_iter().map(|(_, a)| a).collect()))?;
        let key = crate::hub_key::current(setup.store, setup.council)
            .await
            .map_err(ConfigError::new)?;
        setup.settings.insert(key)?;
        Ok(())
    })
}
