//! Authorisation: the one function that decides whether someone may do
//! something, and the terms every capability's permissions are written in.
//!
//! Each capability declares what it protects, as types implementing
//! [`Protected`] in its own `permissions` module, each a pure function with
//! its own table of tests (identity: a resident's account and record, the
//! staff area; cases: a team's cases, reports from apps; and so on).
//! [`authorize`] combines them with the rules that hold for everything: a
//! visitor who has not signed in is asked to, and an API client may do
//! exactly what its key's scopes name. The web layer asks it once per
//! request, for people and API clients alike, before any data is read.

use std::fmt;

use townhall_types::{ApiScope, ApiScopes, TeamId, UserId};

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Nobody is signed in.
    Anonymous,
    /// A machine client holding an API key, with the scopes it was issued.
    ApiClient(ApiScopes),
    /// A signed-in person.
    Person(Person),
}

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// A resident.
    Resident(UserId),
    /// A member of staff.
    Staff(Staff),
    /// A member of a partner organisation's staff (a GP practice, a
    /// housing association…), signed in to the data-exchange hub's pages.
    Partner(PartnerStaff),
}

/// A signed-in member of a partner organisation's staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerStaff {
    /// Their account.
    pub id: UserId,
    /// Their organisation, by the id its agreements name it with.
    pub partner: String,
    /// Their role in it.
    pub role: PartnerRole,
}

/// Roles in a partner organisation, as permissions see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerRole {
    /// Finds people and reads what the organisation's agreements share.
    Practitioner,
    /// Runs the organisation's side of the exchange: also sees everything
    /// it asked of the hub, and its messages not delivered.
    Manager,
}

/// Whose sign-in page a visitor who has not signed in is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Residents: `/sign-in`.
    Residents,
    /// The council's staff: `/staff/sign-in`.
    Staff,
    /// Partner organisations' staff: `/partner/sign-in`.
    Partners,
}

/// A signed-in member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// Their account.
    pub id: UserId,
    /// Their role.
    pub role: StaffRole,
    /// Their team, if any.
    pub team: Option<TeamId>,
}

impl Staff {
    /// The rule for a team's own work (its cases, the review queue it is
    /// named for): its caseworkers, team leaders and customer services
    /// when it is `theirs`, and the data protection officer to read, since
    /// monitoring processing is their job (UK GDPR Art. 39).
    pub fn on_team_work(&self, theirs: bool, action: Action) -> bool {
        match self.role {
            StaffRole::Caseworker | StaffRole::TeamLeader | StaffRole::CustomerServices => theirs,
            StaffRole::DataProtectionOfficer => action == Action::Read,
            StaffRole::Administrator => false,
        }
    }
}

/// Staff roles, as permissions see them.
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

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Look at something.
    Read,
    /// Change something.
    Write,
}

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// Sign in first.
    SignInRequired,
    /// Signed in (or holding a key), but not allowed.
    Forbidden,
}

/// Something a capability protects: a resource, and who may do what to it.
pub trait Protected: fmt::Debug {
    /// Who uses it, so that a visitor who has not signed in is sent to
    /// their sign-in page.
    fn audience(&self) -> Audience;

    /// The scope an API key needs to do `action` to it; none when no key
    /// may.
    fn scope(&self, action: Action) -> Option<ApiScope> {
        let _ = action;
        None
    }

    /// Whether a signed-in person may do `action` to it.
    fn permits(&self, who: &Person, action: Action) -> bool;
}

/// Decides whether `who` may do `action` to `what`.
pub fn authorize(who: &Principal, action: Action, what: &dyn Protected) -> Verdict {
    let allowed = match who {
        Principal::Anonymous => return Verdict::SignInRequired,
        Principal::ApiClient(scopes) => what.scope(action).is_some_and(|s| scopes.allows(&s)),
        Principal::Person(person) => what.permits(person, action),
    };
    if allowed {
        Verdict::Allow
    } else {
        Verdict::Forbidden
    }
}

/// Principals for permissions' tables of tests.
pub mod examples {
    use super::*;

    /// A resident.
    pub fn resident(id: UserId) -> Principal {
        Principal::Person(Person::Resident(id))
    }

    /// A member of staff with `role`, in `team` if given.
    pub fn staff(role: StaffRole, team: Option<TeamId>) -> Principal {
        Principal::Person(Person::Staff(Staff {
            id: UserId::new(),
            role,
            team,
        }))
    }

    /// A member of `partner`'s staff with `role`.
    pub fn partner_staff(partner: &str, role: PartnerRole) -> Principal {
        Principal::Person(Person::Partner(PartnerStaff {
            id: UserId::new(),
            partner: partner.to_owned(),
            role,
        }))
    }

    /// An API client with `scopes`.
    pub fn client(scopes: ApiScopes) -> Principal {
        Principal::ApiClient(scopes)
    }
}

#[cfg(test)]
mod tests {
    use super::examples::*;
    use super::*;

    fn key(scope: ApiScope) -> Principal {
        client(ApiScopes::new([scope]).unwrap())
    }
    use Action::{Read, Write};
    use Verdict::{Allow, Forbidden, SignInRequired};

    /// Staff may read it; a key with `events:read` may read it.
    #[derive(Debug)]
    struct Board;

    impl Protected for Board {
        fn audience(&self) -> Audience {
            Audience::Staff
        }
        fn scope(&self, action: Action) -> Option<ApiScope> {
            (action == Read).then_some(ApiScope::read("events"))
        }
        fn permits(&self, who: &Person, action: Action) -> bool {
            matches!(who, Person::Staff(_)) && action == Read
        }
    }

    #[test]
    fn nobody_signed_in_is_asked_to_and_a_key_does_what_its_scopes_name() {
        let table = [
            (Principal::Anonymous, Read, SignInRequired),
            (Principal::Anonymous, Write, SignInRequired),
            (key(ApiScope::read("events")), Read, Allow),
            (key(ApiScope::read("events")), Write, Forbidden),
            (key(ApiScope::write("open311")), Read, Forbidden),
            (staff(StaffRole::Caseworker, None), Read, Allow),
            (staff(StaffRole::Caseworker, None), Write, Forbidden),
            (resident(UserId::new()), Read, Forbidden),
            (partner_staff("gp", PartnerRole::Manager), Read, Forbidden),
        ];
        for (who, action, expected) in table {
            assert_eq!(
                authorize(&who, action, &Board),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
