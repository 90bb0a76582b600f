//! Time-ordered identifiers (UUID v7), one type per kind of thing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A string was not a valid identifier.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a valid identifier")]
pub struct IdParseError(String);

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new identifier, ordered by creation time.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| IdParseError(s.to_owned()))
            }
        }
    )*};
}

ids! {
    /// A council (tenant). Every stored row belongs to one.
    CouncilId;
    /// A sign-in account: a resident, a member of staff or a partner.
    UserId;
    /// A person known to the council, with or without an account.
    PersonId;
    /// A team of staff.
    TeamId;
    /// An API key (its id, not its secret).
    ApiKeyId;
    /// A notification in the outbox.
    NotificationId;
    /// A consent decision by a resident (one row of the consent history).
    ConsentRecordId;
    /// A case: one request to the council, from submission to closure.
    CaseId;
    /// A permit issued by a service.
    PermitId;
    /// A payment for a service.
    PaymentId;
    /// A file uploaded with a request, such as a photo.
    AttachmentId;
    /// A pair of records in the resident index put to a person to decide.
    ReviewId;
    /// A record a partner sent the council through the data-exchange hub.
    ReceivedId;
    /// A message the council sends a partner through the hub's webhooks.
    DeliveryId;
    /// One firing of a trigger rule for one person: a referral.
    FiringId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = UserId::new();
        let parsed: UserId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = CouncilId::new();
        let b = CouncilId::new();
        assert!(a < b);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}
