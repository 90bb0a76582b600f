//! The test councils' trigger rules.

/// Trigger rules, (file name, text), checked against the test council's
/// consent policy, partners and agreements, teams, and the demo's index
/// systems.
pub(crate) fn rules(
    (policy, partners, agreements): (
        &townhall_consent::Policy,
        &[townhall_exchange::Partner],
        &[townhall_exchange::Agreement],
    ),
    texts: &[(String, String)],
) -> townhall_triggers::Triggers {
    let purposes: Vec<&str> = policy.purposes.iter().map(|p| p.id.as_str()).collect();
    let theirs: Vec<(&str, Vec<&str>)> = partners
        .iter()
        .map(|p| {
            let ids = agreements
                .iter()
                .filter(|a| a.parties.contains(&p.id))
                .map(|a| a.id.as_str())
                .collect();
            (p.id.as_str(), ids)
        })
        .collect();
    let partners: Vec<(&str, &[&str])> = theirs.iter().map(|(p, a)| (*p, a.as_slice())).collect();
    let index = townhall_index::policy::IndexPolicy::parse(
        "index.toml",
        townhall_index::demo::POLICY,
        policy,
    )
    .expect("index policy");
    let systems: Vec<&str> = index.systems.iter().map(|s| s.id.as_str()).collect();
    // The teams the test councils start with, and those the index's views
    // name, whom tests add staff to.
    let mut teams: Vec<&str> = crate::TEAMS.to_vec();
    teams.extend(index.teams());
    let known = townhall_triggers::rule::Known {
        purposes: &purposes,
        partners: &partners,
        systems: &systems,
        teams: &teams,
    };
    townhall_triggers::Triggers(
        texts
            .iter()
            .map(|(name, text)| townhall_triggers::rule::parse(name, text, known).expect("rule"))
            .collect(),
    )
}
