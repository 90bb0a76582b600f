//! What sensors protect: the council's sensor network, which any member of
//! staff may look at and administrators manage. Its pages show devices at
//! points and readings counted by round, never a home's bin lifts.

use townhall_authz::{Action, Audience, Person, Protected, StaffRole};

/// The sensor network: its devices, their readings and what was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SensorNetwork;

impl Protected for SensorNetwork {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        match (who, action) {
            (Person::Staff(_), Action::Read) => true,
            (Person::Staff(s), _) => s.role == StaffRole::Administrator,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{resident, staff};
    use townhall_authz::{authorize, Action::*, Principal, Verdict::*};
    use townhall_types::UserId;

    #[test]
    fn staff_look_and_administrators_manage() {
        let caseworker = staff(StaffRole::Caseworker, None);
        let admin = staff(StaffRole::Administrator, None);
        let table: [(&Principal, _, _); 7] = [
            (&Principal::Anonymous, Read, SignInRequired),
            (&resident(UserId::new()), Read, Forbidden),
            (&caseworker, Read, Allow),
            (&caseworker, Write, Forbidden),
            (&admin, Read, Allow),
            (&admin, Write, Allow),
            (&resident(UserId::new()), Write, Forbidden),
        ];
        for (who, action, expected) in table {
            assert_eq!(
                authorize(who, action, &SensorNetwork),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
