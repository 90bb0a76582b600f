//! The decision itself: which agreement, if any, lets a partner have a
//! record type for a purpose on a day, and whether the person's consent
//! lets it be shared.

use time::Date;
use townhall_consent::{decide, DecisionRequest, Ground};
use townhall_store::StoreError;
use townhall_types::{Timestamp, UserId};

use super::{Hub, Refusal};
use crate::agreement::{Agreement, Condition, Direction, Standing};
use crate::records::Field;
use crate::Agreements;

/// Which way a record goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// From the council to the partner (a read, a search).
    ToPartner,
    /// From the partner to the council.
    ToCouncil,
}

/// The agreement that lets `partner` exchange `record_type` for `purpose`
/// on `day` the `way` asked, or the first reason none does, in this order:
/// no agreement at all, none for the purpose, none sharing the record type,
/// none sending it that way, none in force.
pub fn agreement_for<'h>(
    agreements: &'h Agreements,
    partner: &str,
    (purpose, record_type): (&str, &str),
    way: Way,
    day: Date,
) -> Result<&'h Agreement, Refusal> {
    let theirs: Vec<&Agreement> = agreements
        .0
        .iter()
        .filter(|a| a.parties.iter().any(|p| p == partner))
        .collect();
    if theirs.is_empty() {
        return Err(Refusal::NoAgreement);
    }
    let for_purpose: Vec<&Agreement> = theirs
        .into_iter()
        .filter(|a| a.purpose == purpose)
        .collect();
    if for_purpose.is_empty() {
        return Err(Refusal::WrongPurpose);
    }
    let sharing: Vec<&Agreement> = for_purpose
        .into_iter()
        .filter(|a| a.shared(record_type).is_some())
        .collect();
    if sharing.is_empty() {
        return Err(Refusal::RecordTypeNotAllowed);
    }
    let sharing: Vec<&Agreement> = sharing
        .into_iter()
        .filter(|a| {
            a.shared(record_type).is_some_and(|s| {
                matches!(
                    (s.direction, way),
                    (Direction::Both, _)
                        | (Direction::CouncilToPartner, Way::ToPartner)
                        | (Direction::PartnerToCouncil, Way::ToCouncil)
                )
            })
        })
        .collect();
    if sharing.is_empty() {
        return Err(Refusal::WrongDirection);
    }
    if let Some(agreement) = sharing
        .iter()
        .find(|a| a.standing(day) == Standing::InForce)
    {
        return Ok(agreement);
    }
    Err(
        if sharing
            .iter()
            .any(|a| a.standing(day) == Standing::NotYetInForce)
        {
            Refusal::AgreementNotYetInForce
        } else {
            Refusal::AgreementExpired
        },
    )
}

/// The fields of `asked` that `allowed` does not name, for a refusal: the
/// first 20, each cut to 60 characters (they are the caller's words).
pub(crate) fn beyond<'a>(
    allowed: &[&Field],
    asked: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    asked
        .into_iter()
        .filter(|f| !allowed.iter().any(|a| a.name == f.as_str()))
        .take(20)
        .map(|f| f.chars().take(60).collect())
        .collect()
}

/// Why consent stops `agreement` sharing `fields` of a person who holds
/// `accounts` (asked for each; for the purpose's default when they hold
/// none), or `None` when it lets it.
pub(crate) async fn consent_refusal(
    hub: &Hub<'_>,
    agreement: &Agreement,
    accounts: &[UserId],
    fields: &[&str],
    now: Timestamp,
) -> Result<Option<Refusal>, StoreError> {
    let names: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    let asked_of: Vec<Option<UserId>> = if accounts.is_empty() {
        vec![None]
    } else {
        accounts.iter().copied().map(Some).collect()
    };
    for resident in asked_of {
        let decision = decide(
            hub.store,
            hub.consent,
            &DecisionRequest {
                council: hub.council,
                resident,
                recipient: &agreement.recipient,
                purpose: &agreement.purpose,
                fields: &names,
                at: now,
            },
        )
        .await?;
        let refusal = match decision.ground {
            Ground::Withdrawn => Some(Refusal::ConsentWithdrawn),
            Ground::Ended => Some(Refusal::ConsentEnded),
            Ground::NotGiven | Ground::Undeclared => Some(Refusal::NotConsented),
            Ground::NotOptedOut if agreement.conditions.contains(&Condition::ResidentConsented) => {
                Some(Refusal::NotConsented)
            }
            Ground::NotOptedOut | Ground::Consented | Ground::RequiredByLaw => None,
        };
        if refusal.is_some() {
            return Ok(refusal);
        }
    }
    Ok(None)
}
