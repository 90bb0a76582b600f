//! A council's resident index, read from its configuration: its rules
//! (`index.toml`, checked against the consent policy and the council's
//! teams) and its records, linked in memory.

use std::path::Path;

use townhall_consent::Policy;
use townhall_kernel::{read_file, ConfigError, Loading, Setup};

use crate::live::LiveIndex;
use crate::policy::IndexPolicy;
use crate::settings::LinkSettings;

/// Puts the council's [`LiveIndex`] in its settings, if it keeps an index.
pub(crate) fn configure(setup: Setup<'_>) -> Loading<'_> {
    Box::pin(async move {
        let consent: &Policy = setup.settings.require()?;
        let Some(policy) = read_policy(setup.dir, consent)? else {
            return Ok(());
        };
        let teams = townhall_identity::staff::team_names(setup.store, setup.council).await?;
        if let Some(missing) = policy.teams().find(|t| !teams.iter().any(|have| have == t)) {
            return Err(ConfigError::new(format!(
                "index.toml names team '{missing}', which does not exist; \
                 create it with `townhall admin create-team --name \"{missing}\"`"
            )));
        }
        let started = std::time::Instant::now();
        let live = LiveIndex::load(setup.store, setup.council, policy, setup.progress)
            .await
            .map_err(ConfigError::new)?;
        let records = live.len().await;
        tracing::info!(
            council = %setup.slug,
            records,
            seconds = started.elapsed().as_secs_f64(),
            "resident index in memory"
        );
        setup.settings.insert(live)?;
        Ok(())
    })
}

/// The index rules in `dir` (`index.toml`, and `linkage.toml` beside it
/// when the council declares its own columns), checked against `consent`;
/// `None` when the council keeps no index.
pub fn read_policy(dir: &Path, consent: &Policy) -> Result<Option<IndexPolicy>, ConfigError> {
    let path = dir.join("index.toml");
    if !path.exists() {
        return Ok(None);
    }
    let text = read_file(&path)?;
    let mut policy = IndexPolicy::parse(&path.display().to_string(), &text, consent)
        .map_err(ConfigError::new)?;
    let linkage = dir.join("linkage.toml");
    if linkage.exists() {
        policy.linkage = read_link_settings(&linkage)?;
    }
    Ok(Some(policy))
}

/// The linkage settings in the file at `path`, checked.
pub fn read_link_settings(path: &Path) -> Result<LinkSettings, ConfigError> {
    LinkSettings::parse(&path.display().to_string(), &read_file(path)?).map_err(ConfigError::new)
}
