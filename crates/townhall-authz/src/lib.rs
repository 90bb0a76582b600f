//! Authorisation: the one place that decides whether someone may do something.
//!
//! [`authorize`] is a pure function of (who, action, resource). The web layer
//! calls it once per request, before any data is read; it knows nothing of
//! HTTP or the store, so every rule is tested as a table.

use townhall_types::{ApiScope, ApiScopes, TeamId, UserId};

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Nobody is signed in.
    Anonymous,
    /// A signed-in resident.
    Resident(UserId),
    /// A signed-in member of staff.
    Staff {
        /// Their account.
        id: UserId,
        /// Their role.
        role: StaffRole,
        /// Their team, if any.
        team: Option<TeamId>,
    },
    /// A machine client holding an API key, with the scopes it was issued.
    ApiClient(ApiScopes),
}

/// Staff roles, as this crate sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    /// Works cases for their team.
    Caseworker,
    /// Leads a team.
    TeamLeader,
    /// Oversees data protection.
    DataProtectionOfficer,
    /// Runs the platform.
    Administrator,
    /// Helps residents who cannot do things online (assisted digital): acts
    /// for any resident who asks.
    CustomerServices,
}

/// How a member of staff stands to a resident, found before asking: need to
/// know, as UK GDPR's data minimisation asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// The resident has an open case with the asker's team.
    OpenCaseWithTeam,
    /// The asker has stated why they need to look (a "break-glass" read),
    /// which is recorded, shown to the resident and reviewed by the data
    /// protection officer.
    StatedReason,
    /// Neither.
    None,
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Look at something.
    Read,
    /// Change something.
    Write,
}

/// What they want to do it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A resident's own account area: profile, dashboard, consent, passkeys, access log.
    ResidentAccount(UserId),
    /// A resident's personal details, as seen by staff; writing is acting
    /// for them (making a request on their behalf).
    ResidentRecord {
        /// Whose record.
        owner: UserId,
        /// How the asker stands to them.
        relationship: Relationship,
    },
    /// The staff area's home page.
    StaffHome,
    /// The whole audit log.
    AuditLog,
    /// The consent decision API.
    ConsentDecisions,
    /// Reports made by apps (Open311 requests).
    Reports,
    /// The council's domain events, as the event feed gives them.
    Events,
    /// One source system's records in the resident index, as the system
    /// sends and withdraws them.
    IndexRecords {
        /// The system.
        system: String,
    },
    /// A case, or the queue of cases, of a team.
    Case {
        /// The team it is routed to.
        team: TeamId,
    },
    /// The resident index's review queue: pairs of records to decide.
    IndexReview {
        /// Whether the index policy names the asker's team as reviewers.
        team_reviews: bool,
    },
    /// One person seen across the council's systems (consent is asked after).
    SingleView {
        /// Whether the index policy allows the asker's team a view.
        team_allowed: bool,
    },
}

/// The verdict, with the reason for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// Sign in first.
    SignInRequired,
    /// Signed in, but not allowed.
    Forbidden,
}

/// The scope an API key needs to do `action` to `what`, if a key may do it
/// at all.
pub fn needed_scope(action: Action, what: &Resource) -> Option<ApiScope> {
    match (action, what) {
        (Action::Read, Resource::ConsentDecisions) => Some(ApiScope::ConsentRead),
        (Action::Read, Resource::Events) => Some(ApiScope::EventsRead),
        (Action::Write, Resource::Reports) => Some(ApiScope::Open311Write),
        (Action::Write, Resource::IndexRecords { system }) => Some(ApiScope::IndexWrite {
            system: system.clone(),
        }),
        _ => None,
    }
}

/// Decides whether `who` may do `action` to `what`.
pub fn authorize(who: &Principal, action: Action, what: &Resource) -> Verdict {
    use Resource as R;
    use StaffRole as S;
    use Verdict::{Allow, Forbidden, SignInRequired};
    match (who, what) {
        (Principal::Anonymous, _) => SignInRequired,
        (Principal::Resident(me), R::ResidentAccount(owner)) if me == owner => Allow,
        (Principal::Resident(_), _) => Forbidden,
        (Principal::ApiClient(scopes), _) => match needed_scope(action, what) {
            Some(scope) if scopes.allows(&scope) => Allow,
            _ => Forbidden,
        },
        (Principal::Staff { .. }, R::StaffHome) => Allow,
        (Principal::Staff { role, .. }, R::ResidentRecord { relationship, .. }) => {
            match (role, relationship, action) {
                (S::CustomerServices, _, _) => Allow,
                (S::Caseworker | S::TeamLeader, Relationship::OpenCaseWithTeam, _) => Allow,
                (
                    S::Caseworker | S::TeamLeader | S::DataProtectionOfficer,
                    Relationship::StatedReason,
                    Action::Read,
                ) => Allow,
                _ => Forbidden,
            }
        }
        (Principal::Staff { role, .. }, R::AuditLog) => match (role, action) {
            (S::DataProtectionOfficer, Action::Read) => Allow,
            _ => Forbidden,
        },
        (Principal::Staff { role, team, .. }, R::Case { team: of }) => match role {
            S::Caseworker | S::TeamLeader | S::CustomerServices if *team == Some(*of) => Allow,
            S::DataProtectionOfficer if action == Action::Read => Allow,
            _ => Forbidden,
        },
        (Principal::Staff { role, .. }, R::IndexReview { team_reviews }) => match role {
            S::Caseworker | S::TeamLeader | S::CustomerServices if *team_reviews => Allow,
            S::DataProtectionOfficer if action == Action::Read => Allow,
            _ => Forbidden,
        },
        (Principal::Staff { role, .. }, R::SingleView { team_allowed }) => match role {
            S::Caseworker | S::TeamLeader | S::CustomerServices
                if *team_allowed && action == Action::Read =>
            {
                Allow
            }
            _ => Forbidden,
        },
        (Principal::Staff { .. }, _) => Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{Read, Write};
    use Verdict::{Allow, Forbidden, SignInRequired};

    fn staff(role: StaffRole) -> Principal {
        Principal::Staff {
            id: UserId::new(),
            role,
            team: None,
        }
    }

    #[test]
    fn the_rules_as_a_table() {
        let me = UserId::new();
        let other = UserId::new();
        let resident = Principal::Resident(me);
        let cw = staff(StaffRole::Caseworker);
        let tl = staff(StaffRole::TeamLeader);
        let dpo = staff(StaffRole::DataProtectionOfficer);
        let admin = staff(StaffRole::Administrator);
        let anon = Principal::Anonymous;
        let api = Principal::ApiClient(
            ApiScopes::new([ApiScope::Open311Write, ApiScope::ConsentRead]).unwrap(),
        );
        let reporter = Principal::ApiClient(ApiScopes::new([ApiScope::Open311Write]).unwrap());
        let listener = Principal::ApiClient(ApiScopes::new([ApiScope::EventsRead]).unwrap());
        let tax_writer = Principal::ApiClient(
            ApiScopes::new([ApiScope::IndexWrite {
                system: "council_tax".into(),
            }])
            .unwrap(),
        );
        let tax_records = Resource::IndexRecords {
            system: "council_tax".into(),
        };
        let housing_records = Resource::IndexRecords {
            system: "housing".into(),
        };
        let mine = Resource::ResidentAccount(me);
        let theirs = Resource::ResidentAccount(other);
        let record = Resource::ResidentRecord {
            owner: other,
            relationship: Relationship::StatedReason,
        };
        let (housing, highways) = (TeamId::new(), TeamId::new());
        let housing_case = Resource::Case { team: housing };
        let highways_case = Resource::Case { team: highways };
        let in_team = |role| Principal::Staff {
            id: UserId::new(),
            role,
            team: Some(housing),
        };
        let reviews = Resource::IndexReview { team_reviews: true };
        let not_reviews = Resource::IndexReview {
            team_reviews: false,
        };
        let view = Resource::SingleView { team_allowed: true };
        let no_view = Resource::SingleView {
            team_allowed: false,
        };
        let housing_cw = in_team(StaffRole::Caseworker);
        let housing_tl = in_team(StaffRole::TeamLeader);
        let table: Vec<(&Principal, Action, &Resource, Verdict)> = vec![
            (&anon, Read, &mine, SignInRequired),
            (&anon, Read, &Resource::StaffHome, SignInRequired),
            (&resident, Read, &mine, Allow),
            (&resident, Write, &mine, Allow),
            (&resident, Read, &theirs, Forbidden),
            (&resident, Write, &theirs, Forbidden),
            (&resident, Read, &record, Forbidden),
            (&resident, Read, &Resource::StaffHome, Forbidden),
            (&resident, Read, &Resource::AuditLog, Forbidden),
            (&resident, Read, &Resource::ConsentDecisions, Forbidden),
            (&cw, Read, &Resource::StaffHome, Allow),
            (&cw, Read, &theirs, Forbidden),
            (&cw, Read, &Resource::AuditLog, Forbidden),
            (&dpo, Read, &Resource::AuditLog, Allow),
            (&dpo, Write, &Resource::AuditLog, Forbidden),
            (&admin, Read, &Resource::AuditLog, Forbidden),
            (&api, Read, &Resource::ConsentDecisions, Allow),
            (&api, Write, &Resource::ConsentDecisions, Forbidden),
            (&api, Read, &mine, Forbidden),
            (&api, Write, &Resource::Reports, Allow),
            (&api, Read, &Resource::Reports, Forbidden),
            (&api, Write, &tax_records, Forbidden),
            (&reporter, Write, &Resource::Reports, Allow),
            (&reporter, Read, &Resource::ConsentDecisions, Forbidden),
            (&reporter, Read, &Resource::Events, Forbidden),
            (&listener, Read, &Resource::Events, Allow),
            (&listener, Write, &Resource::Events, Forbidden),
            (&listener, Write, &Resource::Reports, Forbidden),
            (&listener, Read, &Resource::ConsentDecisions, Forbidden),
            (&dpo, Read, &Resource::Events, Forbidden),
            (&admin, Read, &Resource::Events, Forbidden),
            (&anon, Read, &Resource::Events, SignInRequired),
            (&tax_writer, Write, &tax_records, Allow),
            (&tax_writer, Read, &tax_records, Forbidden),
            (&tax_writer, Write, &housing_records, Forbidden),
            (&tax_writer, Write, &Resource::Reports, Forbidden),
            (&tax_writer, Read, &Resource::ConsentDecisions, Forbidden),
            (&tax_writer, Read, &reviews, Forbidden),
            (&cw, Write, &tax_records, Forbidden),
            (&admin, Write, &tax_records, Forbidden),
            (&resident, Write, &tax_records, Forbidden),
            (&anon, Write, &tax_records, SignInRequired),
            (&cw, Read, &Resource::ConsentDecisions, Forbidden),
            (&anon, Read, &housing_case, SignInRequired),
            (&cw, Read, &reviews, Allow),
            (&cw, Write, &reviews, Allow),
            (&tl, Write, &reviews, Allow),
            (&cw, Read, &not_reviews, Forbidden),
            (&cw, Write, &not_reviews, Forbidden),
            (&dpo, Read, &not_reviews, Allow),
            (&dpo, Write, &not_reviews, Forbidden),
            (&admin, Read, &reviews, Forbidden),
            (&resident, Read, &reviews, Forbidden),
            (&api, Read, &reviews, Forbidden),
            (&anon, Read, &reviews, SignInRequired),
            (&cw, Read, &view, Allow),
            (&tl, Read, &view, Allow),
            (&cw, Write, &view, Forbidden),
            (&cw, Read, &no_view, Forbidden),
            (&dpo, Read, &view, Forbidden),
            (&admin, Read, &view, Forbidden),
            (&resident, Read, &view, Forbidden),
            (&resident, Read, &housing_case, Forbidden),
            (&api, Read, &housing_case, Forbidden),
            (&housing_cw, Read, &housing_case, Allow),
            (&housing_cw, Write, &housing_case, Allow),
            (&housing_cw, Read, &highways_case, Forbidden),
            (&housing_cw, Write, &highways_case, Forbidden),
            (&housing_tl, Write, &housing_case, Allow),
            (&housing_tl, Read, &highways_case, Forbidden),
            (&cw, Read, &housing_case, Forbidden),
            (&dpo, Read, &highways_case, Allow),
            (&dpo, Write, &highways_case, Forbidden),
            (&admin, Read, &housing_case, Forbidden),
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
    fn staff_see_a_resident_only_when_they_need_to() {
        use Relationship::{None as NoReason, OpenCaseWithTeam, StatedReason};
        use StaffRole::*;
        let owner = UserId::new();
        // Role, relationship: may they read, and may they act for the resident?
        let table = [
            (Caseworker, NoReason, Forbidden, Forbidden),
            (Caseworker, OpenCaseWithTeam, Allow, Allow),
            (Caseworker, StatedReason, Allow, Forbidden),
            (TeamLeader, NoReason, Forbidden, Forbidden),
            (TeamLeader, OpenCaseWithTeam, Allow, Allow),
            (TeamLeader, StatedReason, Allow, Forbidden),
            (DataProtectionOfficer, NoReason, Forbidden, Forbidden),
            (
                DataProtectionOfficer,
                OpenCaseWithTeam,
                Forbidden,
                Forbidden,
            ),
            (DataProtectionOfficer, StatedReason, Allow, Forbidden),
            (Administrator, NoReason, Forbidden, Forbidden),
            (Administrator, OpenCaseWithTeam, Forbidden, Forbidden),
            (Administrator, StatedReason, Forbidden, Forbidden),
            (CustomerServices, NoReason, Allow, Allow),
            (CustomerServices, OpenCaseWithTeam, Allow, Allow),
            (CustomerServices, StatedReason, Allow, Allow),
        ];
        for (role, relationship, read, write) in table {
            let record = Resource::ResidentRecord {
                owner,
                relationship,
            };
            let who = staff(role);
            assert_eq!(
                authorize(&who, Read, &record),
                read,
                "{role:?} {relationship:?} read"
            );
            assert_eq!(
                authorize(&who, Write, &record),
                write,
                "{role:?} {relationship:?} write"
            );
        }
        for relationship in [NoReason, OpenCaseWithTeam, StatedReason] {
            let record = Resource::ResidentRecord {
                owner,
                relationship,
            };
            for action in [Read, Write] {
                assert_eq!(
                    authorize(&Principal::Resident(UserId::new()), action, &record),
                    Forbidden
                );
                assert_eq!(
                    authorize(&Principal::Anonymous, action, &record),
                    SignInRequired
                );
                assert_eq!(
                    authorize(
                        &Principal::ApiClient(
                            ApiScopes::new([ApiScope::Open311Write, ApiScope::ConsentRead])
                                .unwrap()
                        ),
                        action,
                        &record
                    ),
                    Forbidden
                );
            }
        }
    }

    #[test]
    fn customer_services_work_their_own_teams_cases() {
        let team = TeamId::new();
        let adviser = Principal::Staff {
            id: UserId::new(),
            role: StaffRole::CustomerServices,
            team: Some(team),
        };
        assert_eq!(authorize(&adviser, Read, &Resource::Case { team }), Allow);
        assert_eq!(authorize(&adviser, Write, &Resource::Case { team }), Allow);
        let other = Resource::Case {
            team: TeamId::new(),
        };
        assert_eq!(authorize(&adviser, Read, &other), Forbidden);
        assert_eq!(authorize(&adviser, Read, &Resource::StaffHome), Allow);
    }
}
