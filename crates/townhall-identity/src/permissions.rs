//! What identity protects: a resident's own account area, a partner's
//! member of staff's own account, a resident's record as staff see it, and
//! the staff area.

use townhall_authz::{Action, Audience, Person, Protected, StaffRole};
use townhall_types::UserId;

/// A resident's own account area: profile, dashboard, consent, passkeys,
/// access log. Only its owner uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnAccount(pub UserId);

impl Protected for OwnAccount {
    fn audience(&self) -> Audience {
        Audience::Residents
    }

    fn permits(&self, who: &Person, _: Action) -> bool {
        matches!(who, Person::Resident(me) if *me == self.0)
    }
}

/// A partner's member of staff's own account: their passkeys. Only its
/// owner uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerAccount(pub UserId);

impl Protected for PartnerAccount {
    fn audience(&self) -> Audience {
        Audience::Partners
    }

    fn permits(&self, who: &Person, _: Action) -> bool {
        matches!(who, Person::Partner(me) if me.id == self.0)
    }
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

/// A resident's personal details, as seen by staff; writing is acting for
/// them (making a request on their behalf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResidentRecord {
    /// Whose record.
    pub owner: UserId,
    /// How the asker stands to them.
    pub relationship: Relationship,
}

impl Protected for ResidentRecord {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        use StaffRole as S;
        let Person::Staff(staff) = who else {
            return false;
        };
        match (staff.role, self.relationship, action) {
            // Acting for residents who ask is customer services' job.
            (S::CustomerServices, _, _) => true,
            (S::Caseworker | S::TeamLeader, Relationship::OpenCaseWithTeam, _) => true,
            (
                S::Caseworker | S::TeamLeader | S::DataProtectionOfficer,
                Relationship::StatedReason,
                Action::Read,
            ) => true,
            _ => false,
        }
    }
}

/// The staff area: any member of staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffArea;

impl Protected for StaffArea {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, _: Action) -> bool {
        matches!(who, Person::Staff(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{client, resident, staff};
    use townhall_authz::{authorize, Action::*, Principal, Verdict::*};
    use townhall_types::{ApiScope, ApiScopes};

    #[test]
    fn a_residents_account_is_theirs_alone_and_the_staff_area_is_staffs() {
        let me = UserId::new();
        let mine = OwnAccount(me);
        let theirs = OwnAccount(UserId::new());
        let api = client(
            ApiScopes::new([ApiScope::write("open311"), ApiScope::read("consent")]).unwrap(),
        );
        let cw = staff(StaffRole::Caseworker, None);
        let adviser = staff(
            StaffRole::CustomerServices,
            Some(townhall_types::TeamId::new()),
        );
        let table: [(&Principal, _, &dyn Protected, _); 12] = [
            (&adviser, Read, &StaffArea, Allow),
            (&Principal::Anonymous, Read, &mine, SignInRequired),
            (&resident(me), Read, &mine, Allow),
            (&resident(me), Write, &mine, Allow),
            (&resident(me), Read, &theirs, Forbidden),
            (&resident(me), Write, &theirs, Forbidden),
            (&cw, Read, &theirs, Forbidden),
            (&api, Read, &mine, Forbidden),
            (&Principal::Anonymous, Read, &StaffArea, SignInRequired),
            (&resident(me), Read, &StaffArea, Forbidden),
            (&cw, Read, &StaffArea, Allow),
            (&api, Read, &StaffArea, Forbidden),
        ];
        for (who, action, what, expected) in table {
            assert_eq!(
                authorize(who, action, what),
                expected,
                "{who:?} {action:?} {what:?}"
            );
        }
        let theirs_too = townhall_authz::PartnerStaff {
            id: me,
            partner: "gp".into(),
            role: townhall_authz::PartnerRole::Practitioner,
        };
        let partner = Principal::Person(Person::Partner(theirs_too));
        let account = PartnerAccount(me);
        assert_eq!(authorize(&partner, Write, &account), Allow);
        assert_eq!(
            authorize(&partner, Read, &PartnerAccount(UserId::new())),
            Forbidden
        );
        assert_eq!(authorize(&resident(me), Read, &account), Forbidden);
        assert_eq!(
            authorize(&partner, Read, &mine),
            Forbidden,
            "not a resident's area"
        );
        assert_eq!(authorize(&partner, Read, &StaffArea), Forbidden);
        assert_eq!(account.audience(), Audience::Partners);
        // A visitor who must sign in is sent to the resident's or the staff sign-in.
        let record = ResidentRecord {
            owner: me,
            relationship: Relationship::None,
        };
        assert_eq!(mine.audience(), Audience::Residents);
        assert_eq!(StaffArea.audience(), Audience::Staff);
        assert_eq!(record.audience(), Audience::Staff);
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
            let record = ResidentRecord {
                owner,
                relationship,
            };
            let who = staff(role, None);
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
        let api = client(
            ApiScopes::new([ApiScope::write("open311"), ApiScope::read("consent")]).unwrap(),
        );
        for relationship in [NoReason, OpenCaseWithTeam, StatedReason] {
            let record = ResidentRecord {
                owner,
                relationship,
            };
            for action in [Read, Write] {
                assert_eq!(
                    authorize(&resident(UserId::new()), action, &record),
                    Forbidden
                );
                assert_eq!(authorize(&resident(owner), action, &record), Forbidden);
                assert_eq!(
                    authorize(&Principal::Anonymous, action, &record),
                    SignInRequired
                );
                assert_eq!(authorize(&api, action, &record), Forbidden);
            }
        }
    }
}
