//! Reading a record of a person: the fields the agreement names (or the
//! ones asked among them), read from the resident index only once the
//! decision allows them.

use std::collections::BTreeMap;

use serde::Serialize;
use townhall_audit::{Action, AuditEvent};
use townhall_types::{PersonId, Timestamp};

use super::rules::{agreement_for, beyond, consent_refusal, Way};
use super::{caller, named, no, settle, under, Answer, Asking, Caller, Hub, Refusal};
use crate::partners::PartnerError;

/// A partner's request to read a record of a person.
#[derive(Debug, Clone)]
pub struct Read<'a> {
    /// The person, by resident index id, as the request wrote it.
    pub person: &'a str,
    /// The record type, e.g. `person`.
    pub record_type: &'a str,
    /// The consent purpose it is for.
    pub purpose: &'a str,
    /// The fields asked for; every field the agreement names when `None`.
    pub fields: Option<Vec<String>>,
}

/// What a read released: exactly the fields allowed and asked for, each
/// `None` where the council holds no value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Released {
    /// The person.
    pub person: PersonId,
    /// The record type.
    pub record_type: &'static str,
    /// The purpose.
    pub purpose: String,
    /// The agreement it was released under.
    pub agreement: String,
    /// Field by field.
    pub fields: BTreeMap<&'static str, Option<String>>,
}

/// Answers a partner's request, signed or its staff's, to read a record, at `now`.
pub async fn read(
    hub: &Hub<'_>,
    asking: Asking<'_>,
    ask: &Read<'_>,
    now: Timestamp,
) -> Result<Answer<Released>, PartnerError> {
    let caller = match caller(hub, asking, now).await? {
        Ok(caller) => caller,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let decided = decide(hub, &caller, ask, now).await?;
    settle(hub, &caller, now, decided).await
}

async fn decide(
    hub: &Hub<'_>,
    caller: &Caller,
    ask: &Read<'_>,
    now: Timestamp,
) -> Result<(Answer<Released>, AuditEvent), PartnerError> {
    // The fields asked, or (none named) every field of the record type,
    // so that the resident sees what was asked even when it is refused.
    let asked_for: Vec<String> = match &ask.fields {
        Some(fields) => fields.clone(),
        None => crate::records::record_type(ask.record_type)
            .map(|r| r.fields.iter().map(|f| f.name.to_owned()).collect())
            .unwrap_or_default(),
    };
    let (person, accounts, asked) = named(
        hub,
        caller,
        (ask.person, format!("read {}", ask.record_type)),
        Action::Read,
        asked_for,
    )
    .await?;
    let agreement = match agreement_for(
        hub.agreements,
        &caller.partner.id,
        (ask.purpose, ask.record_type),
        Way::ToPartner,
        now.uk_date(),
    ) {
        Ok(a) => a,
        Err(refusal) => return no(refusal, asked),
    };
    let allowed = agreement.fields_of(ask.record_type).unwrap_or_default();
    let fields: Vec<&'static str> = match &ask.fields {
        None => allowed.iter().map(|f| f.name).collect(),
        Some(asked_for) => {
            let beyond = beyond(allowed, asked_for);
            if !beyond.is_empty() {
                return no(Refusal::FieldNotAllowed(beyond), asked);
            }
            allowed
                .iter()
                .filter(|a| asked_for.iter().any(|f| f == a.name))
                .map(|a| a.name)
                .collect()
        }
    };
    let (Some(person), Some(accounts)) = (person, accounts) else {
        return no(Refusal::UnknownPerson, asked);
    };
    if let Some(refusal) = consent_refusal(hub, agreement, &accounts, &fields, now).await? {
        return no(refusal, asked);
    }
    let mut held = townhall_index::held::values_of(
        hub.store,
        hub.council,
        hub.index.policy(),
        person,
        &fields,
    )
    .await?;
    let released = Released {
        person,
        record_type: agreement
            .records
            .iter()
            .find(|r| r.record_type.name == ask.record_type)
            .map_or("", |r| r.record_type.name),
        purpose: agreement.purpose.clone(),
        agreement: agreement.id.clone(),
        fields: fields.iter().map(|f| (*f, held.remove(*f))).collect(),
    };
    let event = asked
        .fields(fields.iter().map(|f| (*f).to_owned()))
        .purpose(under(hub, agreement, ""));
    Ok((Ok(released), event))
}
