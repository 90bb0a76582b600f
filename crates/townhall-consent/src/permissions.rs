//! What consent protects: the decision point's API, asked by partners'
//! systems holding `consent:read` (people manage their own consent in their
//! account).

use townhall_authz::{Action, Person, Protected};
use townhall_types::ApiScope;

/// The consent decision API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentDecisions;

impl Protected for ConsentDecisions {
    fn for_staff(&self) -> bool {
        false
    }

    fn scope(&self, action: Action) -> Option<ApiScope> {
        (action == Action::Read).then_some(ApiScope::ConsentRead)
    }

    fn permits(&self, _: &Person, _: Action) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{client, resident, staff};
    use townhall_authz::{authorize, Action::*, Principal, StaffRole, Verdict::*};
    use townhall_types::{ApiScopes, UserId};

    #[test]
    fn only_a_key_with_consent_read_asks_the_decision_point() {
        let key = |s: &[ApiScope]| client(ApiScopes::new(s.iter().cloned()).unwrap());
        let table = [
            (key(&[ApiScope::ConsentRead]), Read, Allow),
            (
                key(&[ApiScope::Open311Write, ApiScope::ConsentRead]),
                Read,
                Allow,
            ),
            (key(&[ApiScope::ConsentRead]), Write, Forbidden),
            (key(&[ApiScope::Open311Write]), Read, Forbidden),
            (key(&[ApiScope::EventsRead]), Read, Forbidden),
            (
                key(&[ApiScope::IndexWrite {
                    system: "council_tax".into(),
                }]),
                Read,
                Forbidden,
            ),
            (staff(StaffRole::Caseworker, None), Read, Forbidden),
            (
                staff(StaffRole::DataProtectionOfficer, None),
                Read,
                Forbidden,
            ),
            (resident(UserId::new()), Read, Forbidden),
            (Principal::Anonymous, Read, SignInRequired),
        ];
        assert!(!ConsentDecisions.for_staff(), "people do not use it");
        for (who, action, expected) in table {
            assert_eq!(
                authorize(&who, action, &ConsentDecisions),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
