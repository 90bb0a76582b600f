//! What triggers protect: the referrals a rule sends (worked by the partner
//! organisation's staff, or the team's, they go to), and the rules
//! themselves with their firings and dry runs, which name residents and
//! what is known of them: the data protection officer and administrators.

use townhall_authz::{Action, Audience, Person, Protected, StaffRole};

use crate::firing::team_of;

/// The referrals to one recipient: a partner's id, or `team:` and a team's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Referrals<'a> {
    /// The recipient, as a firing names it.
    pub to: &'a str,
}

impl Protected for Referrals<'_> {
    fn audience(&self) -> Audience {
        if team_of(self.to).is_some() {
            Audience::Staff
        } else {
            Audience::Partners
        }
    }

    fn permits(&self, who: &Person, _: Action) -> bool {
        match (who, team_of(self.to)) {
            (Person::Partner(p), None) => p.partner == self.to,
            (Person::Staff(s), Some(team)) => {
                s.team.is_some_and(|t| t.to_string() == team)
                    && matches!(s.role, StaffRole::Caseworker | StaffRole::TeamLeader)
            }
            _ => false,
        }
    }
}

/// The council's trigger rules, their firings and dry runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriggerRules;

impl Protected for TriggerRules {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, _: Action) -> bool {
        matches!(who, Person::Staff(s)
            if matches!(s.role, StaffRole::DataProtectionOfficer | StaffRole::Administrator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{resident, staff};
    use townhall_authz::{authorize, Action::*, PartnerRole, PartnerStaff, Principal, Verdict::*};
    use townhall_types::{TeamId, UserId};

    fn partner(id: &str) -> Principal {
        Principal::Person(Person::Partner(PartnerStaff {
            id: UserId::new(),
            partner: id.into(),
            role: PartnerRole::Practitioner,
        }))
    }

    #[test]
    fn a_referral_is_worked_by_its_recipient_only() {
        let team = TeamId::new();
        let to_team = format!("team:{team}");
        let gp = Referrals {
            to: "riverside-medical-centre",
        };
        let theirs = Referrals { to: &to_team };
        let table: [(&Principal, &Referrals, _); 8] = [
            (&Principal::Anonymous, &gp, SignInRequired),
            (&partner("riverside-medical-centre"), &gp, Allow),
            (&partner("riverside-homes"), &gp, Forbidden),
            (&partner("riverside-medical-centre"), &theirs, Forbidden),
            (&staff(StaffRole::Caseworker, Some(team)), &theirs, Allow),
            (
                &staff(StaffRole::Caseworker, Some(TeamId::new())),
                &theirs,
                Forbidden,
            ),
            (&staff(StaffRole::Administrator, None), &gp, Forbidden),
            (&resident(UserId::new()), &theirs, Forbidden),
        ];
        for (who, what, expected) in table {
            assert_eq!(authorize(who, Write, what), expected, "{who:?} {what:?}");
        }
    }

    #[test]
    fn rules_are_for_the_data_protection_officer_and_administrators() {
        for (role, expected) in [
            (StaffRole::DataProtectionOfficer, Allow),
            (StaffRole::Administrator, Allow),
            (StaffRole::Caseworker, Forbidden),
            (StaffRole::TeamLeader, Forbidden),
            (StaffRole::CustomerServices, Forbidden),
        ] {
            assert_eq!(authorize(&staff(role, None), Read, &TriggerRules), expected);
        }
        assert_eq!(
            authorize(&resident(UserId::new()), Read, &TriggerRules),
            Forbidden
        );
    }
}
