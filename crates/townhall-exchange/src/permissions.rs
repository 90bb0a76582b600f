//! What the hub protects on the staff pages: its partners (registering
//! them) and the messages the council sends them (seeing which could not be
//! delivered, sending them again), which the data protection officer and
//! administrators look after.

use townhall_authz::{Action, Person, Protected, StaffRole};

/// The hub's partners and its deliveries to them (never their content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubAdministration;

impl Protected for HubAdministration {
    fn for_staff(&self) -> bool {
        true
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        matches!(action, Action::Read | Action::Write)
            && matches!(
                who,
                Person::Staff(s) if matches!(s.role, StaffRole::DataProtectionOfficer | StaffRole::Administrator)
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{resident, staff};
    use townhall_authz::{authorize, Principal, Verdict};
    use townhall_types::UserId;

    #[test]
    fn only_the_data_protection_officer_and_administrators_run_the_hub() {
        let allowed: [(Principal, Verdict); 4] = [
            (
                staff(StaffRole::DataProtectionOfficer, None),
                Verdict::Allow,
            ),
            (staff(StaffRole::Administrator, None), Verdict::Allow),
            (staff(StaffRole::Caseworker, None), Verdict::Forbidden),
            (resident(UserId::new()), Verdict::Forbidden),
        ];
        for (who, verdict) in allowed {
            assert_eq!(authorize(&who, Action::Write, &HubAdministration), verdict);
        }
    }
}
