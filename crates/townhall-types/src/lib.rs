//! Identifiers, timestamps and validated values shared by every Townhall crate.
//!
//! This crate does no I/O. Its types make wrong states unrepresentable at the
//! edges: an [`EmailAddress`] has been checked, a [`Timestamp`] is always UTC,
//! and ids of different things cannot be mixed up.

mod api_scope;
pub mod day;
mod email;
mod field_errors;
mod id;
mod placeholders;
mod source;
pub mod text;
mod timestamp;

pub use api_scope::{Access, ApiScope, ApiScopes, Reserved, ScopeError, ScopeKind};
pub use email::{EmailAddress, EmailError};
pub use field_errors::FieldErrors;
pub use id::{
    ApiKeyId, AttachmentId, CaseId, ConsentRecordId, CouncilId, DeliveryId, FiringId, IdParseError,
    NotificationId, PaymentId, PermitId, PersonId, ReceivedId, ReviewId, TeamId, UserId,
};
pub use placeholders::fill_placeholders;
pub use source::{is_config_id, SourceError, SourceText};
pub use timestamp::{Timestamp, TimestampError};
