//! What a message is: how it travels, and where its delivery stands.

use serde::{Deserialize, Serialize};

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email.
    Email,
    /// Text message.
    Sms,
    /// A printed letter.
    Letter,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Letter => "letter",
        }
    }
}

/// Delivery status, as GOV.UK Notify names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In the outbox, not yet handed on.
    Created,
    /// Handed to the provider.
    Sending,
    /// The provider confirmed delivery.
    Delivered,
    /// The provider could not deliver it and will not retry.
    PermanentFailure,
    /// Townhall could not hand it on (no provider, or the provider failed).
    TechnicalFailure,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Sending => "sending",
            Status::Delivered => "delivered",
            Status::PermanentFailure => "permanent-failure",
            Status::TechnicalFailure => "technical-failure",
        }
    }
}
