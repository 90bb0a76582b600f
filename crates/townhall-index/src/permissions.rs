//! What the resident index protects: each system's records as the system
//! sends them, the review queue, and the single view.

use townhall_authz::{Action, Audience, Person, Protected, StaffRole};
use townhall_types::{ApiScope, Reserved, ScopeKind};

/// `index:write:SYSTEM`, without its system: send and withdraw one source
/// system's records.
pub const INDEX_WRITE: ApiScope = ApiScope::write("index");

/// The scopes the resident index offers API clients.
pub const SCOPES: &[ScopeKind] = &[ScopeKind {
    scope: INDEX_WRITE,
    which: Some("SYSTEM"),
    reserved: &[Reserved {
        which: crate::ACCOUNTS,
        why: "holds residents' online accounts, which Townhall links itself as they are confirmed; no key may send them",
    }],
    about: "send and withdraw one source system's records in the resident index (POST/DELETE /api/v1/index/records)",
}];

/// The system a scope lets a key send records for, if it is an
/// `index:write:SYSTEM` scope.
pub fn system_of(scope: &ApiScope) -> Option<&str> {
    SCOPES[0].admits(scope).then(|| scope.which()).flatten()
}

/// One source system's records, as the system sends and withdraws them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRecords {
    /// The system, as the index policy declares it.
    pub system: String,
}

impl Protected for SystemRecords {
    fn audience(&self) -> Audience {
        Audience::Residents
    }

    fn scope(&self, action: Action) -> Option<ApiScope> {
        (action == Action::Write).then(|| INDEX_WRITE.of(self.system.clone()))
    }

    fn permits(&self, _: &Person, _: Action) -> bool {
        false
    }
}

/// The review queue: pairs of records to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewQueue {
    /// Whether the index policy names the asker's team as reviewers.
    pub team_reviews: bool,
}

impl Protected for ReviewQueue {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        matches!(who, Person::Staff(s) if s.on_team_work(self.team_reviews, action))
    }
}

/// One person seen across the council's systems (consent is asked after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SingleView {
    /// Whether the index policy allows the asker's team a view.
    pub team_allowed: bool,
}

impl Protected for SingleView {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        use StaffRole as S;
        matches!(
            who,
            Person::Staff(s) if matches!(s.role, S::Caseworker | S::TeamLeader | S::CustomerServices)
        ) && self.team_allowed
            && action == Action::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{client, resident, staff};
    use townhall_authz::{authorize, Action::*, Principal, Verdict::*};
    use townhall_types::{ApiScopes, UserId};

    #[test]
    fn a_systems_key_sends_its_own_records_and_no_other_systems() {
        let tax = SystemRecords {
            system: "council_tax".into(),
        };
        let housing = SystemRecords {
            system: "housing".into(),
        };
        let tax_writer =
            client(ApiScopes::new([ApiScope::write("index").of("council_tax")]).unwrap());
        let api = client(
            ApiScopes::new([ApiScope::write("open311"), ApiScope::read("consent")]).unwrap(),
        );
        let table = [
            (&tax_writer, Write, &tax, Allow),
            (&tax_writer, Read, &tax, Forbidden),
            (&tax_writer, Write, &housing, Forbidden),
            (&api, Write, &tax, Forbidden),
            (&staff(StaffRole::Caseworker, None), Write, &tax, Forbidden),
            (
                &staff(StaffRole::Administrator, None),
                Write,
                &tax,
                Forbidden,
            ),
            (&resident(UserId::new()), Write, &tax, Forbidden),
            (&Principal::Anonymous, Write, &tax, SignInRequired),
        ];
        for (who, action, what, expected) in table {
            assert_eq!(
                authorize(who, action, what),
                expected,
                "{who:?} {action:?} {what:?}"
            );
        }
    }

    #[test]
    fn reviewers_and_viewers_are_the_teams_the_policy_names() {
        use StaffRole::*;
        let reviews = ReviewQueue { team_reviews: true };
        let not_reviews = ReviewQueue {
            team_reviews: false,
        };
        let view = SingleView { team_allowed: true };
        let no_view = SingleView {
            team_allowed: false,
        };
        let api = client(
            ApiScopes::new([ApiScope::write("open311"), ApiScope::read("consent")]).unwrap(),
        );
        let table: [(Principal, _, &dyn Protected, _); 19] = [
            (staff(Caseworker, None), Read, &reviews, Allow),
            (staff(Caseworker, None), Write, &reviews, Allow),
            (staff(TeamLeader, None), Write, &reviews, Allow),
            (staff(Caseworker, None), Read, &not_reviews, Forbidden),
            (staff(Caseworker, None), Write, &not_reviews, Forbidden),
            (
                staff(DataProtectionOfficer, None),
                Read,
                &not_reviews,
                Allow,
            ),
            (
                staff(DataProtectionOfficer, None),
                Write,
                &not_reviews,
                Forbidden,
            ),
            (staff(Administrator, None), Read, &reviews, Forbidden),
            (resident(UserId::new()), Read, &reviews, Forbidden),
            (api.clone(), Read, &reviews, Forbidden),
            (
                client(ApiScopes::new([ApiScope::write("index").of("council_tax")]).unwrap()),
                Read,
                &reviews,
                Forbidden,
            ),
            (Principal::Anonymous, Read, &reviews, SignInRequired),
            (staff(Caseworker, None), Read, &view, Allow),
            (staff(TeamLeader, None), Read, &view, Allow),
            (staff(Caseworker, None), Write, &view, Forbidden),
            (staff(Caseworker, None), Read, &no_view, Forbidden),
            (staff(DataProtectionOfficer, None), Read, &view, Forbidden),
            (staff(Administrator, None), Read, &view, Forbidden),
            (resident(UserId::new()), Read, &view, Forbidden),
        ];
        for (who, action, what, expected) in table {
            assert_eq!(
                authorize(&who, action, what),
                expected,
                "{who:?} {action:?} {what:?}"
            );
        }
        assert_eq!(reviews.audience(), Audience::Staff);
        assert_eq!(view.audience(), Audience::Staff);
        let tax = SystemRecords {
            system: "council_tax".into(),
        };
        assert_eq!(tax.audience(), Audience::Residents);
    }
}
