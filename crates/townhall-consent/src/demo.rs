//! Consent's part of the demo council: its consent policy, and the choices
//! about data sharing that about one resident in five has made (Martin
//! Hughes among them, who agreed to the first purpose).

use rand::Rng;
use townhall_kernel::demo::{Residents, SeedError, Seeding, Sowing};
use townhall_store::StoreError;
use townhall_types::CouncilId;

use crate::{Choice, ConsentDefault, Method, Policy};

/// The demo council's consent policy, `consent.toml`.
pub const POLICY: &str = include_str!("../demo/consent.toml");

/// Writes the policy and records the residents' choices.
pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        s.write_file("consent.toml", POLICY)?;
        let policy = Policy::parse("consent.toml", POLICY).map_err(SeedError::new)?;
        let council = *s.seeded.require::<CouncilId>()?;
        let residents = s.seeded.require::<Residents>()?;
        let rng = s.rng;
        let mut tx = s.store.begin().await?;
        for (n, resident) in residents.0.iter().enumerate() {
            if n != 0 && !rng.gen_bool(0.2) {
                continue;
            }
            let purpose = &policy.purposes[if n == 0 {
                0
            } else {
                rng.gen_range(0..policy.purposes.len())
            }];
            if purpose.default == ConsentDefault::RequiredByLaw {
                continue;
            }
            let choice = if n == 0 || rng.gen_bool(0.7) {
                Choice::Granted
            } else {
                Choice::Withdrawn
            };
            let Some(recipient) = purpose.recipients.first() else {
                continue;
            };
            crate::record(
                &mut tx,
                council,
                resident.account,
                &purpose.id,
                recipient,
                choice,
                None,
                Method::Web,
                &resident.account.to_string(),
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    })
}
