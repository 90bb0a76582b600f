//! The resident index's part of the demo council: its index rules, and its
//! residents (and their children) as six other council systems hold them,
//! imported and linked, so that the index has pairs to review.

mod records;

use townhall_kernel::demo::{Homes, Residents, SeedError, Seeding, Sowing};
use townhall_linkage::column::{Column, Kind as ColumnKind};
use townhall_store::StoreError;
use townhall_types::CouncilId;

use crate::policy::IndexPolicy;

/// The demo council's index rules, `index.toml`.
pub const POLICY: &str = include_str!("../demo/index.toml");

/// Writes the rules, imports every system's records and links them.
pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        s.write_file("index.toml", POLICY)?;
        let consent =
            townhall_consent::Policy::parse("consent.toml", townhall_consent::demo::POLICY)
                .map_err(SeedError::new)?;
        let policy = IndexPolicy::parse("index.toml", POLICY, &consent).map_err(SeedError::new)?;
        let council = *s.seeded.require::<CouncilId>()?;
        let residents = s.seeded.require::<Residents>()?;
        let homes = s.seeded.require::<Homes>()?;
        let systems = records::records(s.rng, &residents.0, &homes.0);
        let mut tx = s.store.begin().await?;
        for (n, (system, records)) in systems.iter().enumerate() {
            s.progress
                .step("index records", n as u64, systems.len() as u64);
            let columns = match *system {
                "adult_social_care" => vec![Column {
                    name: records::MOBILITY_NEED.to_owned(),
                    kind: ColumnKind::Text,
                }],
                _ => Vec::new(),
            };
            crate::records::import(&mut tx, council, system, &columns, records)
                .await
                .map_err(SeedError::new)?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        crate::run::run(s.store, council, &policy, s.progress)
            .await
            .map_err(SeedError::new)?;
        confirm_martin(s.store, council, &residents.0).await
    })
}

/// Customer Services has confirmed that Martin Hughes's account is his, as
/// a reviewer would at `/staff/index/reviews`: the pairs of his account's
/// record and his other records are decided the same person, so partners
/// find him through the hub (the demo's story). Everyone else's pairs wait.
async fn confirm_martin(
    store: &townhall_store::Store,
    council: CouncilId,
    residents: &[townhall_kernel::demo::Resident],
) -> Result<(), SeedError> {
    let Some(martin) = residents.first() else {
        return Ok(());
    };
    let all = crate::records::all(store, council)
        .await
        .map_err(SeedError::new)?;
    // His in the reviewer's eyes: his first name, and his surname or his
    // date of birth (one system misspells the one, another lacks the other).
    let his = |key: &crate::records::RecordKey| {
        all.iter().any(|r| {
            let born = townhall_linkage::normalise::date(&r.person.date_of_birth);
            &r.key == key
                && r.person.first_name == martin.given_name
                && (r.person.surname == martin.family_name
                    || (born.is_some()
                        && born == townhall_linkage::normalise::date(&martin.date_of_birth)))
        })
    };
    let account = martin.account.to_string();
    let reviewer = crate::review::Reviewer {
        actor: townhall_audit::Actor::System("demo".into()),
        label: "Customer Services",
    };
    for pair in crate::review::pending(store, council, i64::MAX)
        .await
        .map_err(SeedError::new)?
    {
        let mine = [&pair.left, &pair.right]
            .iter()
            .any(|k| k.system == "accounts" && k.record_id == account);
        if mine && his(&pair.left) && his(&pair.right) {
            crate::review::decide(store, council, pair.id, true, &reviewer)
                .await
                .map_err(SeedError::new)?;
        }
    }
    Ok(())
}
