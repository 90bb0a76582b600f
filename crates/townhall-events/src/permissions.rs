//! What the events protect: the feed, read by the council's systems and
//! partners holding `events:read`.

use townhall_authz::{Action, Audience, Person, Protected};
use townhall_types::{ApiScope, ScopeKind};

/// `events:read`: read the council's domain events (`GET /api/v1/events`).
pub const EVENTS_READ: ApiScope = ApiScope::read("events");

/// The scopes the event feed offers API clients.
pub const SCOPES: &[ScopeKind] = &[ScopeKind {
    scope: EVENTS_READ,
    which: None,
    reserved: &[],
    about: "read the council's domain events (GET /api/v1/events)",
}];

/// A council's domain events, as the event feed gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFeed;

impl Protected for EventFeed {
    fn audience(&self) -> Audience {
        Audience::Residents
    }

    fn scope(&self, action: Action) -> Option<ApiScope> {
        (action == Action::Read).then_some(EVENTS_READ)
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
    fn only_a_key_with_events_read_reads_the_feed() {
        let key = |s: ApiScope| client(ApiScopes::new([s]).unwrap());
        let table = [
            (key(ApiScope::read("events")), Read, Allow),
            (key(ApiScope::read("events")), Write, Forbidden),
            (key(ApiScope::write("open311")), Read, Forbidden),
            (key(ApiScope::read("consent")), Read, Forbidden),
            (
                staff(StaffRole::DataProtectionOfficer, None),
                Read,
                Forbidden,
            ),
            (staff(StaffRole::Administrator, None), Read, Forbidden),
            (resident(UserId::new()), Read, Forbidden),
            (Principal::Anonymous, Read, SignInRequired),
        ];
        assert_eq!(EventFeed.audience(), Audience::Residents);
        for (who, action, expected) in table {
            assert_eq!(
                authorize(&who, action, &EventFeed),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
