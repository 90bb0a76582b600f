//! What the events protect: the feed, read by the council's systems and
//! partners holding `events:read`.

use townhall_authz::{Action, Person, Protected};
use townhall_types::ApiScope;

/// A council's domain events, as the event feed gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFeed;

impl Protected for EventFeed {
    fn for_staff(&self) -> bool {
        false
    }

    fn scope(&self, action: Action) -> Option<ApiScope> {
        (action == Action::Read).then_some(ApiScope::EventsRead)
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
            (key(ApiScope::EventsRead), Read, Allow),
            (key(ApiScope::EventsRead), Write, Forbidden),
            (key(ApiScope::Open311Write), Read, Forbidden),
            (key(ApiScope::ConsentRead), Read, Forbidden),
            (
                staff(StaffRole::DataProtectionOfficer, None),
                Read,
                Forbidden,
            ),
            (staff(StaffRole::Administrator, None), Read, Forbidden),
            (resident(UserId::new()), Read, Forbidden),
            (Principal::Anonymous, Read, SignInRequired),
        ];
        assert!(!EventFeed.for_staff());
        for (who, action, expected) in table {
            assert_eq!(
                authorize(&who, action, &EventFeed),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
