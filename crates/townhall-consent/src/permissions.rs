//! What consent protects: the decision point's API, asked by partners'
//! systems holding `consent:read` (people manage their own consent in their
//! account).

use townhall_authz::{Action, Audience, Person, Protected};
use townhall_types::{ApiScope, ScopeKind};

/// `consent:read`: ask whether a resident's information may be shared
/// (`POST /api/v1/consent/decisions`).
pub const CONSENT_READ: ApiScope = ApiScope::read("consent");

/// The scopes consent offers API clients.
pub const SCOPES: &[ScopeKind] = &[ScopeKind {
    scope: CONSENT_READ,
    which: None,
    reserved: &[],
    about: "ask whether a resident's information may be shared (POST /api/v1/consent/decisions)",
}];

/// The consent decision API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentDecisions;

impl Protected for ConsentDecisions {
    fn audience(&self) -> Audience {
        Audience::Residents
    }

    fn scope(&self, action: Action) -> Option<ApiScope> {
        (action == Action::Read).then_some(CONSENT_READ)
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
            (key(&[ApiScope::read("consent")]), Read, Allow),
            (
                key(&[ApiScope::write("open311"), ApiScope::read("consent")]),
                Read,
                Allow,
            ),
            (key(&[ApiScope::read("consent")]), Write, Forbidden),
            (key(&[ApiScope::write("open311")]), Read, Forbidden),
            (key(&[ApiScope::read("events")]), Read, Forbidden),
            (
                key(&[ApiScope::write("index").of("council_tax")]),
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
        assert_eq!(
            ConsentDecisions.audience(),
            Audience::Residents,
            "people do not use it"
        );
        for (who, action, expected) in table {
            assert_eq!(
                authorize(&who, action, &ConsentDecisions),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
