//! The resident index's part of the demo council: its index rules, and its
//! residents (and their children) as six other council systems hold them,
//! imported and linked, so that the index has pairs to review.

mod records;

use townhall_kernel::demo::{Homes, Residents, SeedError, Seeding, Sowing};
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
            crate::records::import(&mut tx, council, system, &[], records)
                .await
                .map_err(SeedError::new)?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        crate::run::run(s.store, council, &policy, s.progress)
            .await
            .map_err(SeedError::new)?;
        Ok(())
    })
}
