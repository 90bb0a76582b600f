//! The council's trigger rules, from `triggers/*.toml` in its configuration
//! directory (none when there is no such directory), each checked against
//! the consent policy's purposes, the registered partners and their
//! agreements, the resident index's systems and the council's teams.

use townhall_consent::Policy;
use townhall_exchange::{Agreements, Direction};
use townhall_index::live::LiveIndex;
use townhall_kernel::{read_file, ConfigError, Loading, Setup};

use crate::rule::{parse, Known, Recipient, Rule, REFERRAL};

/// The council's rules, in file-name order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Triggers(pub Vec<Rule>);

pub(crate) fn configure(setup: Setup<'_>) -> Loading<'_> {
    Box::pin(async move {
        let dir = setup.dir.join("triggers");
        if !dir.exists() {
            setup.settings.insert(Triggers::default())?;
            return Ok(());
        }
        let policy: &Policy = setup.settings.require()?;
        let agreements: &Agreements = setup.settings.require()?;
        let purposes: Vec<&str> = policy.purposes.iter().map(|p| p.id.as_str()).collect();
        let partners = townhall_exchange::partners::list(setup.store, setup.council)
            .await
            .map_err(ConfigError::new)?;
        let with: Vec<(&str, Vec<&str>)> = partners
            .iter()
            .map(|p| {
                let theirs = agreements
                    .0
                    .iter()
                    .filter(|a| a.parties.contains(&p.id))
                    .map(|a| a.id.as_str())
                    .collect();
                (p.id.as_str(), theirs)
            })
            .collect();
        let partners: Vec<(&str, &[&str])> = with.iter().map(|(p, a)| (*p, a.as_slice())).collect();
        let systems: Vec<&str> = setup
            .settings
            .get::<LiveIndex>()
            .map(|i| i.policy().systems.iter().map(|s| s.id.as_str()).collect())
            .unwrap_or_default();
        let teams = townhall_identity::staff::team_names(setup.store, setup.council).await?;
        let teams: Vec<&str> = teams.iter().map(String::as_str).collect();
        let known = Known {
            purposes: &purposes,
            partners: &partners,
            systems: &systems,
            teams: &teams,
        };
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| ConfigError::new(format!("{}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut rules: Vec<Rule> = Vec::with_capacity(paths.len());
        for path in paths {
            let file = path.display().to_string();
            let rule = parse(&file, &read_file(&path)?, known).map_err(ConfigError::new)?;
            if let Recipient::Partner { agreement, .. } = &rule.recipient {
                refers_under(&file, agreements, agreement)?;
            }
            if rules.iter().any(|r| r.id == rule.id) {
                return Err(ConfigError::new(format!(
                    "{file}: rule '{}' is written twice",
                    rule.id
                )));
            }
            rules.push(rule);
        }
        setup.settings.insert(Triggers(rules))?;
        Ok(())
    })
}

/// Checks that `agreement` lets the council send a referral: its record
/// type and field, from the council to the partner.
fn refers_under(file: &str, agreements: &Agreements, agreement: &str) -> Result<(), ConfigError> {
    let (record_type, field) = REFERRAL;
    let sends = agreements
        .0
        .iter()
        .find(|a| a.id == agreement)
        .and_then(|a| a.shared(record_type))
        .is_some_and(|s| {
            s.direction != Direction::PartnerToCouncil && s.fields.iter().any(|f| f.name == field)
        });
    if sends {
        Ok(())
    } else {
        Err(ConfigError::new(format!(
            "{file}: the agreement '{agreement}' does not let the council send {record_type}.{field} to the partner, which is what a referral is"
        )))
    }
}
