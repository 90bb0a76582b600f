//! What cases protect: a team's cases and queue, and the reports apps
//! make through Open311.

use townhall_authz::{Action, Audience, Person, Protected};
use townhall_types::{ApiScope, ScopeKind, TeamId};

/// `open311:write`: report problems through Open311 (`POST requests`).
pub const OPEN311_WRITE: ApiScope = ApiScope::write("open311");

/// The scopes cases offers API clients.
pub const SCOPES: &[ScopeKind] = &[ScopeKind {
    scope: OPEN311_WRITE,
    which: None,
    reserved: &[],
    about: "report problems through Open311 (POST requests)",
}];

/// A case, or the queue of cases, of a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamCases {
    /// The team it is routed to.
    pub team: TeamId,
}

impl Protected for TeamCases {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        matches!(who, Person::Staff(s) if s.on_team_work(s.team == Some(self.team), action))
    }
}

/// Reports made by apps (Open311 `POST requests`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reports;

impl Protected for Reports {
    fn audience(&self) -> Audience {
        Audience::Residents
    }

    fn scope(&self, action: Action) -> Option<ApiScope> {
        (action == Action::Write).then_some(OPEN311_WRITE)
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
    fn a_teams_cases_are_worked_by_its_team_and_overseen_by_the_dpo() {
        use StaffRole::*;
        let (housing, highways) = (TeamId::new(), TeamId::new());
        let housing_case = TeamCases { team: housing };
        let highways_case = TeamCases { team: highways };
        let api = client(
            ApiScopes::new([ApiScope::write("open311"), ApiScope::read("consent")]).unwrap(),
        );
        let table = [
            (staff(Caseworker, Some(housing)), Read, housing_case, Allow),
            (staff(Caseworker, Some(housing)), Write, housing_case, Allow),
            (
                staff(Caseworker, Some(housing)),
                Read,
                highways_case,
                Forbidden,
            ),
            (
                staff(Caseworker, Some(housing)),
                Write,
                highways_case,
                Forbidden,
            ),
            (staff(TeamLeader, Some(housing)), Write, housing_case, Allow),
            (
                staff(TeamLeader, Some(housing)),
                Read,
                highways_case,
                Forbidden,
            ),
            (
                staff(CustomerServices, Some(housing)),
                Read,
                housing_case,
                Allow,
            ),
            (
                staff(CustomerServices, Some(housing)),
                Write,
                housing_case,
                Allow,
            ),
            (
                staff(CustomerServices, Some(housing)),
                Read,
                highways_case,
                Forbidden,
            ),
            (staff(Caseworker, None), Read, housing_case, Forbidden),
            (
                staff(DataProtectionOfficer, None),
                Read,
                highways_case,
                Allow,
            ),
            (
                staff(DataProtectionOfficer, None),
                Write,
                highways_case,
                Forbidden,
            ),
            (staff(Administrator, None), Read, housing_case, Forbidden),
            (resident(UserId::new()), Read, housing_case, Forbidden),
            (api, Read, housing_case, Forbidden),
            (Principal::Anonymous, Read, housing_case, SignInRequired),
        ];
        for (who, action, what, expected) in table {
            assert_eq!(
                authorize(&who, action, &what),
                expected,
                "{who:?} {action:?} {what:?}"
            );
        }
        assert_eq!(housing_case.audience(), Audience::Staff);
        assert_eq!(Reports.audience(), Audience::Residents);
    }

    #[test]
    fn apps_report_with_open311_write_and_nothing_else_does() {
        let key = |s: &[ApiScope]| client(ApiScopes::new(s.iter().cloned()).unwrap());
        let table = [
            (key(&[ApiScope::write("open311")]), Write, Allow),
            (key(&[ApiScope::write("open311")]), Read, Forbidden),
            (key(&[ApiScope::read("consent")]), Write, Forbidden),
            (key(&[ApiScope::read("events")]), Write, Forbidden),
            (
                key(&[ApiScope::write("index").of("council_tax")]),
                Write,
                Forbidden,
            ),
            (staff(StaffRole::Caseworker, None), Write, Forbidden),
            (Principal::Anonymous, Write, SignInRequired),
        ];
        for (who, action, expected) in table {
            assert_eq!(
                authorize(&who, action, &Reports),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
