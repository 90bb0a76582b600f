//! The domain events payments write: money taken for a request that became
//! a case, and money taken for one that could not, so due back.

use serde::{Deserialize, Serialize};
use townhall_events::{Event, EventType};
use townhall_types::{CaseId, PaymentId};

/// `payment.settled`, version 1: the money is taken and the request it
/// paid for is a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSettled {
    /// The payment.
    pub payment: PaymentId,
    /// The service paid for.
    pub service: String,
    /// How much, in pence.
    pub amount_pence: u32,
    /// The case it paid for.
    pub case: CaseId,
}

impl Event for PaymentSettled {
    const TYPE: EventType = EventType {
        name: "payment.settled",
        version: 1,
        about: "A payment was taken and the request it paid for became a case.",
    };
    fn subject(&self) -> String {
        self.payment.to_string()
    }
}

/// `payment.refund_due`, version 1: the money was taken but the request
/// could not then be made (a day filled up while the payer paid), so the
/// council owes it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundDue {
    /// The payment.
    pub payment: PaymentId,
    /// The service paid for.
    pub service: String,
    /// How much is owed, in pence.
    pub amount_pence: u32,
}

impl Event for RefundDue {
    const TYPE: EventType = EventType {
        name: "payment.refund_due",
        version: 1,
        about: "A payment was taken for a request that could not then be made, and is due back.",
    };
    fn subject(&self) -> String {
        self.payment.to_string()
    }
}

/// The events payments write, for the manifest.
pub(crate) const TYPES: &[EventType] = &[PaymentSettled::TYPE, RefundDue::TYPE];
