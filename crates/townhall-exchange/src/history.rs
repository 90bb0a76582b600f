//! A partner organisation's history with the hub: every request it made,
//! by its keys or its staff, answered or refused, as the audit log holds
//! it. X-Road gives each member the log of its own messages; this is that,
//! for the organisation's managers.

use townhall_audit::{Actor, AuditRecord};
use townhall_store::{Store, StoreError};
use townhall_types::CouncilId;

/// The newest `limit` entries of what `partner` and its staff asked.
pub async fn of_partner(
    store: &Store,
    council: CouncilId,
    partner: &str,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    let staff = townhall_identity::partner_staff::of_partner(store, council, partner).await?;
    let actors: Vec<Actor> = std::iter::once(Actor::Partner(partner.to_owned()))
        .chain(
            staff
                .iter()
                .map(|m| Actor::PartnerStaff(m.user.id.to_string())),
        )
        .collect();
    townhall_audit::by_actors(store, council, &actors, limit).await
}
