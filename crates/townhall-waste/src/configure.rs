//! The council's collections, read from `waste.toml` in its configuration
//! directory when a site starts (none when it has no such file: the
//! council does not collect waste, or keeps its rounds elsewhere).

use townhall_kernel::{read_file, ConfigError, Loading, Setup};
use townhall_places::{AreaKind, Boundaries};

use crate::Collections;

pub(crate) fn configure(setup: Setup<'_>) -> Loading<'_> {
    Box::pin(async move {
        let areas: &Boundaries = setup.settings.require()?;
        let wards: Vec<&str> = areas
            .of_kind(AreaKind::Ward)
            .map(|a| a.code.as_str())
            .collect();
        let path = setup.dir.join("waste.toml");
        let collections = if path.exists() {
            let text = read_file(&path)?;
            Collections::parse(&path.display().to_string(), &text, &wards)
                .map_err(ConfigError::new)?
        } else {
            Collections::default()
        };
        setup.settings.insert(collections)?;
        Ok(())
    })
}
