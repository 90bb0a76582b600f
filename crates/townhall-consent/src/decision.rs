//! The one consent decision point.

use serde::Serialize;
use townhall_audit::{Actor, AuditEvent, Outcome, RecordRef};
use townhall_store::{Store, StoreError};
use townhall_types::{CouncilId, Timestamp, UserId};

use crate::policy::{Default, Policy};
use crate::records::{latest, Choice};

/// A question: may `recipient` have these `fields` of `resident`'s data for `purpose` at `at`?
#[derive(Debug, Clone)]
pub struct DecisionRequest<'a> {
    /// The council whose resident it is.
    pub council: CouncilId,
    /// Whose data: a resident's account, or `None` for someone the council
    /// knows only from its records, who has made no choice through Townhall.
    pub resident: Option<UserId>,
    /// Who would receive it.
    pub recipient: &'a str,
    /// Why.
    pub purpose: &'a str,
    /// Which fields.
    pub fields: &'a [String],
    /// When.
    pub at: Timestamp,
}

/// What a decision rests on, for callers that act on the kind of answer
/// rather than its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// The purpose, recipient or fields are not in the policy.
    Undeclared,
    /// The law requires the sharing.
    RequiredByLaw,
    /// The resident said yes, and it has not ended.
    Consented,
    /// The resident has not said no to a purpose shared by default.
    NotOptedOut,
    /// The resident said no.
    Withdrawn,
    /// The resident's yes had an end date, now past.
    Ended,
    /// The purpose needs a yes, and the resident has not given one.
    NotGiven,
}

/// The answer, with the reason in plain English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Whether the data may be shared.
    pub allow: bool,
    /// Why, in words fit for the audit log and for staff.
    pub reason: String,
    /// The same, said to the resident ("You said yes on …"), without a
    /// full stop.
    #[serde(skip)]
    pub to_resident: String,
    /// The lawful basis relied on, when allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<crate::LegalBasis>,
    /// What it rests on.
    #[serde(skip)]
    pub ground: Ground,
}

impl Decision {
    fn deny(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self {
            allow: false,
            to_resident: reason.clone(),
            reason,
            legal_basis: None,
            ground: Ground::Undeclared,
        }
    }

    /// A refusal, said two ways.
    fn refuse(ground: Ground, reason: String, to_resident: String) -> Self {
        Self {
            to_resident,
            ground,
            ..Self::deny(reason)
        }
    }
}

/// Why a partner's question cannot be answered: it names a purpose or a
/// recipient the policy does not declare, so it is about nobody's consent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Undeclared(pub String);

/// A partner asks the decision point (the consent API): the question is
/// answered and the answer audited as a look at the resident's consent,
/// shown to them. A question naming a purpose or recipient the policy does
/// not declare is refused and not audited: its words would otherwise reach
/// the resident's record of who looked at their information.
pub async fn decide_for_partner(
    store: &Store,
    policy: &Policy,
    req: &DecisionRequest<'_>,
    (actor, label): (Actor, &str),
) -> Result<Result<Decision, Undeclared>, StoreError> {
    if policy.purpose(req.purpose).is_none() {
        return Ok(Err(Undeclared(format!(
            "'{}' is not a purpose of the council's consent policy",
            req.purpose
        ))));
    }
    if policy.recipient(req.recipient).is_none() {
        return Ok(Err(Undeclared(format!(
            "'{}' is not a recipient of the council's consent policy",
            req.recipient
        ))));
    }
    let decision = decide(store, policy, req).await?;
    if let Some(resident) = req.resident {
        let event = AuditEvent::new(
            req.council,
            (actor, label),
            townhall_audit::Action::Read,
            RecordRef::Consent(resident),
        )
        .about(Some(resident))
        .fields([format!("{}/{}", req.purpose, req.recipient)])
        .purpose(format!("consent check for {}", req.purpose))
        .outcome(if decision.allow {
            Outcome::Allowed
        } else {
            Outcome::Denied
        });
        townhall_audit::record(store, &event).await?;
    }
    Ok(Ok(decision))
}

/// Decides a [`DecisionRequest`] against the policy and the resident's history.
pub async fn decide(
    store: &Store,
    policy: &Policy,
    req: &DecisionRequest<'_>,
) -> Result<Decision, StoreError> {
    let Some(purpose) = policy.purpose(req.purpose) else {
        return Ok(Decision::deny(format!(
            "'{}' is not a declared purpose",
            req.purpose
        )));
    };
    if policy.recipient(req.recipient).is_none() {
        return Ok(Decision::deny(format!(
            "'{}' is not a declared recipient",
            req.recipient
        )));
    }
    if !purpose.recipients.iter().any(|r| r == req.recipient) {
        return Ok(Decision::deny(format!(
            "'{}' is not a recipient for the purpose '{}'",
            req.recipient, purpose.title
        )));
    }
    let extra: Vec<&str> = req
        .fields
        .iter()
        .filter(|f| !purpose.fields.contains(f))
        .map(String::as_str)
        .collect();
    if !extra.is_empty() {
        return Ok(Decision::deny(format!(
            "the purpose '{}' does not cover these fields: {}",
            purpose.title,
            extra.join(", ")
        )));
    }
    let allow = |ground: Ground, reason: String, to_resident: String| Decision {
        allow: true,
        reason,
        to_resident,
        legal_basis: Some(purpose.legal_basis),
        ground,
    };
    if purpose.default == Default::RequiredByLaw {
        return Ok(allow(
            Ground::RequiredByLaw,
            format!(
                "required by law: {}",
                purpose.reason.as_deref().unwrap_or_default()
            ),
            "The law requires it, so you cannot say no".into(),
        ));
    }
    let choice = match req.resident {
        Some(resident) => {
            latest(
                store,
                req.council,
                resident,
                req.purpose,
                req.recipient,
                req.at,
            )
            .await?
        }
        None => None,
    };
    Ok(match choice {
        Some(c) if c.choice == Choice::Withdrawn => Decision::refuse(
            Ground::Withdrawn,
            format!("the resident said no on {}", c.recorded_at.human()),
            format!("You said no on {}", c.recorded_at.human()),
        ),
        Some(c) => match c.valid_until {
            Some(until) if until <= req.at => Decision::refuse(
                Ground::Ended,
                format!("the resident's permission ended on {}", until.human()),
                format!("Your permission ended on {}", until.human()),
            ),
            Some(until) => allow(
                Ground::Consented,
                format!(
                    "the resident gave permission on {} until {}",
                    c.recorded_at.human(),
                    until.human()
                ),
                format!(
                    "You said yes on {}, until {}",
                    c.recorded_at.human(),
                    until.human()
                ),
            ),
            None => allow(
                Ground::Consented,
                format!("the resident gave permission on {}", c.recorded_at.human()),
                format!("You said yes on {}", c.recorded_at.human()),
            ),
        },
        None => match purpose.default {
            Default::OptOut => allow(
                Ground::NotOptedOut,
                format!(
                    "shared by default unless the resident says no: {}",
                    purpose.reason.as_deref().unwrap_or_default()
                ),
                "You have not said no, so we share it".into(),
            ),
            _ => Decision::refuse(
                Ground::NotGiven,
                "the resident has not given permission".into(),
                "You have not said yes, so we do not share it".into(),
            ),
        },
    })
}
