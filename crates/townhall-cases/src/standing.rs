//! How a member of staff stands to a resident before they look at the
//! resident's record: the relationship the permissions ask about, and the
//! purpose the look is recorded under. Found here because the usual reason
//! is a case: an open one with the officer's team.

use townhall_identity::break_glass;
use townhall_identity::permissions::Relationship;
use townhall_identity::staff::{Role, StaffMember};
use townhall_store::{Store, StoreError};
use townhall_types::{CouncilId, Timestamp, UserId};

/// How `Standing::of` found a member of staff to stand to a resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// What the permissions are asked about.
    pub relationship: Relationship,
    /// The purpose a look is recorded under, in the audit log and on the
    /// resident's access log; empty when they have none.
    pub purpose: String,
}

impl Standing {
    /// How `staff` stands to `owner` now: their role (customer services
    /// acts for anyone who asks), an open case of their team, or a reason
    /// they stated that has not run out.
    pub async fn of(
        store: &Store,
        council: CouncilId,
        staff: &StaffMember,
        owner: UserId,
    ) -> Result<Self, StoreError> {
        if staff.role == Role::CustomerServices {
            return Ok(Standing {
                relationship: Relationship::None,
                purpose: "helping the resident with a council service (customer services)".into(),
            });
        }
        if let (Role::Caseworker | Role::TeamLeader, Some(team)) = (staff.role, &staff.team) {
            if crate::open_case_with_team(store, council, owner, team.id).await? {
                return Ok(Standing {
                    relationship: Relationship::OpenCaseWithTeam,
                    purpose: format!("working on the resident's open request with {}", team.name),
                });
            }
        }
        let now = Timestamp::now();
        Ok(
            match break_glass::active_reason(store, council, staff.user.id, owner, now).await? {
                Some(reason) => Standing {
                    relationship: Relationship::StatedReason,
                    purpose: format!("a reason the officer gave: {reason}"),
                },
                None => Standing {
                    relationship: Relationship::None,
                    purpose: String::new(),
                },
            },
        )
    }
}
