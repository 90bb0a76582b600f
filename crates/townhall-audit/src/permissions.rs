//! What the audit log protects: the whole log, read by the data protection
//! officer alone (UK GDPR Art. 39: monitoring processing is their job).

use townhall_authz::{Action, Audience, Person, Protected, StaffRole};

/// The whole audit log (a resident reads their own entries through their
/// account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditLog;

impl Protected for AuditLog {
    fn audience(&self) -> Audience {
        Audience::Staff
    }

    fn permits(&self, who: &Person, action: Action) -> bool {
        matches!(who, Person::Staff(s) if s.role == StaffRole::DataProtectionOfficer)
            && action == Action::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use townhall_authz::examples::{resident, staff};
    use townhall_authz::{authorize, Action::*, Principal, Verdict::*};
    use townhall_types::UserId;

    #[test]
    fn only_the_data_protection_officer_reads_the_log_and_nobody_writes_it() {
        let table = [
            (staff(StaffRole::DataProtectionOfficer, None), Read, Allow),
            (
                staff(StaffRole::DataProtectionOfficer, None),
                Write,
                Forbidden,
            ),
            (staff(StaffRole::Administrator, None), Read, Forbidden),
            (staff(StaffRole::Caseworker, None), Read, Forbidden),
            (resident(UserId::new()), Read, Forbidden),
            (Principal::Anonymous, Read, SignInRequired),
        ];
        assert_eq!(AuditLog.audience(), Audience::Staff);
        for (who, action, expected) in table {
            assert_eq!(
                authorize(&who, action, &AuditLog),
                expected,
                "{who:?} {action:?}"
            );
        }
    }
}
