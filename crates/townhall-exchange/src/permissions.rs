//! What the hub protects. On the council's staff pages: its partners
//! (registering them, their staff accounts) and the messages the council
//! sends them (seeing which could not be delivered, sending them again),
//! which the data protection officer and administrators look after. On the
//! partners' own pages: an organisation's work under its agreements, for
//! its staff alone, and its history of exchanges, for its managers.

use townhall_authz::{Action, Audience, PartnerRole, Person, Protected, StaffRole};

/// The hub's partners and its deliveries to them (never their content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubAdministration;

impl Protected for HubAdministration {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        matches!(action, Action::Read | Action::Write)
            && matches!(
                who,
                Person::Staff(s) if matches!(s.role, StaffRole::DataProtectionOfficer | StaffRole::Administrator)
            )
    }
}

/// A partner organisation's work through the hub's pages: its agreements,
/// and finding and reading people under them. Only its own staff, whatever
/// their role: what they may see of a person is then the hub's decision,
/// as for the organisation's signed requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerWork<'a> {
    /// The organisation, by id.
    pub partner: &'a str,
}

impl Protected for PartnerWork<'_> {
    fn audience(&self) -> Audience {
        Audience::Partners
    }

    fn permits(&self, who: &Person, _: Action) -> bool {
        matches!(who, Person::Partner(p) if p.partner == self.partner)
    }
}

/// A partner organisation's history of exchanges (what it asked, what was
/// answered or refused): its managers. (The council's data protection
/// officer reads the whole audit log.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerHistory<'a> {
    /// The organisation, by id.
    pub partner: &'a str,
}

impl Protected for PartnerHistory<'_> {
    fn audience(&self) -> Audience {
        Audience::Partners
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        action == Action::Read
            && matches!(who, Person::Partner(p) if p.partner == self.partner && p.role == PartnerRole::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{partner_staff, resident, staff};
    use townhall_authz::{authorize, Principal, Verdict};
    use townhall_types::UserId;
    use Action::{Read, Write};
    use Verdict::{Allow, Forbidden, SignInRequired};

    #[test]
    fn only_the_data_protection_officer_and_administrators_run_the_hub() {
        let allowed: [(Principal, Verdict); 5] = [
            (staff(StaffRole::DataProtectionOfficer, None), Allow),
            (staff(StaffRole::Administrator, None), Allow),
            (staff(StaffRole::Caseworker, None), Forbidden),
            (resident(UserId::new()), Forbidden),
            (partner_staff("gp", PartnerRole::Manager), Forbidden),
        ];
        for (who, verdict) in allowed {
            assert_eq!(authorize(&who, Write, &HubAdministration), verdict);
        }
    }

    #[test]
    fn a_partners_staff_work_for_their_own_organisation_alone() {
        let work = PartnerWork { partner: "gp" };
        let table = [
            (partner_staff("gp", PartnerRole::Practitioner), Allow),
            (partner_staff("gp", PartnerRole::Manager), Allow),
            (partner_staff("police", PartnerRole::Manager), Forbidden),
            (staff(StaffRole::Administrator, None), Forbidden),
            (staff(StaffRole::DataProtectionOfficer, None), Forbidden),
            (resident(UserId::new()), Forbidden),
            (Principal::Anonymous, SignInRequired),
        ];
        for (who, verdict) in table {
            assert_eq!(authorize(&who, Read, &work), verdict, "{who:?}");
            assert_eq!(authorize(&who, Write, &work), verdict, "{who:?}");
        }
        assert_eq!(work.audience(), Audience::Partners);
    }

    #[test]
    fn an_organisations_history_is_its_managers_to_read() {
        let history = PartnerHistory { partner: "gp" };
        let table = [
            (partner_staff("gp", PartnerRole::Manager), Read, Allow),
            (
                partner_staff("gp", PartnerRole::Practitioner),
                Read,
                Forbidden,
            ),
            (
                partner_staff("police", PartnerRole::Manager),
                Read,
                Forbidden,
            ),
            (partner_staff("gp", PartnerRole::Manager), Write, Forbidden),
            (
                staff(StaffRole::DataProtectionOfficer, None),
                Read,
                Forbidden,
            ),
            (staff(StaffRole::Caseworker, None), Read, Forbidden),
            (resident(UserId::new()), Read, Forbidden),
        ];
        for (who, action, verdict) in table {
            assert_eq!(
                authorize(&who, action, &history),
                verdict,
                "{who:?} {action:?}"
            );
        }
    }
}
