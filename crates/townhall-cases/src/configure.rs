//! What cases check of a council's configuration before serving it: that
//! the settings its pages and jobs use are there (areas, services, who
//! takes payment), and that every routing rule of its services sends cases
//! to a team the council has, since such cases would otherwise sit where
//! nobody sees them; and that a missed-collection service offers only bins
//! the council's rounds know, when it keeps them here, since a report of
//! any other could never be taken.

use townhall_kernel::{ConfigError, Loading, Setup};
use townhall_places::{AreaKind, Boundaries};
use townhall_services::Catalogue;

/// Refuses a council whose services route to a team it does not have.
pub(crate) fn configure(setup: Setup<'_>) -> Loading<'_> {
    Box::pin(async move {
        // What its pages and jobs take payment with, so that a platform
        // without payments is refused on start, not on a resident's request.
        setup.settings.require::<townhall_payments::Payments>()?;
        let boundaries: &Boundaries = setup.settings.require()?;
        let services: &Catalogue = setup.settings.require()?;
        let teams = townhall_identity::staff::team_names(setup.store, setup.council).await?;
        let parishes: Vec<&str> = boundaries
            .of_kind(AreaKind::Parish)
            .map(|p| p.name.as_str())
            .collect();
        for s in services.all() {
            for (rule, team) in townhall_services::routing::teams_named(&s.routing, &parishes) {
                if !teams.contains(&team) {
                    return Err(ConfigError::new(format!(
                        "service {} routing rule {rule} sends cases to team '{team}', which does not exist; \
                         create it with `townhall admin create-team --name \"{team}\"`",
                        s.id
                    )));
                }
            }
            if let Some(rule) = &s.missed_collection {
                missed_bins_known(setup.settings.get(), s, rule)?;
            }
        }
        Ok(())
    })
}

/// Refuses a missed-collection service offering a bin the council's rounds
/// (when it keeps any here) do not name.
fn missed_bins_known(
    collections: Option<&townhall_waste::Collections>,
    service: &townhall_services::Service,
    rule: &townhall_services::MissedCollection,
) -> Result<(), ConfigError> {
    let Some(collections) = collections.filter(|c| !c.rounds.is_empty()) else {
        return Ok(());
    };
    let offered = service
        .question(&rule.container)
        .map(|q| q.choices.as_slice())
        .unwrap_or_default();
    match offered
        .iter()
        .find(|c| !collections.containers.iter().any(|k| k.id == c.value))
    {
        Some(stranger) => Err(ConfigError::new(format!(
            "service {} offers the bin '{}', which is not one of waste.toml's containers ({}): \
             a missed collection of it could never be reported",
            service.id,
            stranger.value,
            collections
                .containers
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => Ok(()),
    }
}
