//! The council's trigger rules, from `triggers/*.toml` in its configuration
//! directory (none when there is no such directory), each checked against
//! the consent policy's purposes, the registered partners and their
//! agreements, the resident index's systems and the council's teams.

use townhall_consent::Policy;
use townhall_exchange::{Agreements, Direction};
use townhall_index::live::LiveIndex;
use townhall_kernel::{read_file, ConfigError, Loading, Setup};
use townhall_waste::Collections;

use crate::rule::{parse, Fact, Known, Recipient, Rule, REFERRAL};

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
            let Some(index) = setup.settings.get::<LiveIndex>() else {
                return Err(ConfigError::new(format!(
                    "{file}: a rule is about the people living at a home, and the council keeps no resident index (index.toml)"
                )));
            };
            if setup.settings.get::<Collections>().is_none() {
                return Err(ConfigError::new(format!(
                    "{file}: a rule is about a home's bin collections, and the council keeps no collection rounds (waste.toml)"
                )));
            }
            match &rule.recipient {
                Recipient::Partner { agreement, .. } => {
                    refers_under(&file, agreements, agreement, &rule)?;
                }
                Recipient::Team(team) => asks_for_team(&file, index, team, &rule)?,
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

/// Checks that `agreement` lets the council send a referral (its record
/// type and field, from the council to the partner), and that `rule` asks
/// the resident's consent to the agreement's purpose, which the hub will
/// ask again: the resident is told what they agreed to, and it must be
/// what the referral goes under.
fn refers_under(
    file: &str,
    agreements: &Agreements,
    agreement: &str,
    rule: &Rule,
) -> Result<(), ConfigError> {
    let (record_type, field) = REFERRAL;
    let Some(agreement) = agreements.0.iter().find(|a| a.id == agreement) else {
        return Err(ConfigError::new(format!(
            "{file}: there is no agreement '{agreement}'"
        )));
    };
    let sends = agreement.shared(record_type).is_some_and(|s| {
        s.direction != Direction::PartnerToCouncil && s.fields.iter().any(|f| f.name == field)
    });
    if !sends {
        return Err(ConfigError::new(format!(
            "{file}: the agreement '{}' does not let the council send {record_type}.{field} to the partner, which is what a referral is",
            agreement.id
        )));
    }
    if !rule
        .facts
        .iter()
        .any(|f| matches!(f, Fact::Consent(p) if *p == agreement.purpose))
    {
        return Err(ConfigError::new(format!(
            "{file}: a referral under the agreement '{}' needs the resident's consent to its purpose: add [[facts]] fact = \"consent\", purpose = \"{}\"",
            agreement.id, agreement.purpose
        )));
    }
    Ok(())
}

/// Checks that each consent `rule` asks of a resident referred to `team` is
/// to a purpose the resident index lets the team see people for (a
/// `[[views]]` entry naming it): that view's recipient is whom the
/// resident said yes to.
fn asks_for_team(
    file: &str,
    index: &LiveIndex,
    team: &str,
    rule: &Rule,
) -> Result<(), ConfigError> {
    for fact in &rule.facts {
        let Fact::Consent(purpose) = fact else {
            continue;
        };
        if !index
            .policy()
            .views_for(team)
            .any(|v| v.purpose == *purpose)
        {
            return Err(ConfigError::new(format!(
                "{file}: the team '{team}' is referred people who said yes to '{purpose}', but the resident index gives it no view for that purpose ([[views]] in index.toml)"
            )));
        }
    }
    Ok(())
}
