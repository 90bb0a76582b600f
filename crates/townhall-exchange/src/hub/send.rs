//! A partner sending the council a record about a person — "missed three
//! appointments", "school attendance below 80%": only record types and
//! fields an agreement lets come this way, for a person the index knows,
//! with their consent. The record is kept, and a domain event
//! (`exchange.record_received`) tells the council's services and triggers,
//! in the transaction that audits it.

use std::collections::BTreeMap;

use serde::Serialize;
use townhall_audit::{Action, AuditEvent};
use townhall_events::NewEvent;
use townhall_store::{sql, StoreError};
use townhall_types::{PersonId, ReceivedId, Timestamp};

use super::rules::{agreement_for, beyond, consent_refusal, Way};
use super::{caller, named, no, spend, under, Answer, Asking, Caller, Hub, Refusal};
use crate::events::RecordReceived;
use crate::partners::PartnerError;
use crate::signature::Request;

/// The longest value a field may hold, in characters.
const MAX_VALUE: usize = 1000;

/// A partner's record for the council.
#[derive(Debug, Clone)]
pub struct Inbound<'a> {
    /// The person, by resident index id, as the request wrote it.
    pub person: &'a str,
    /// The record type, e.g. `appointments`.
    pub record_type: &'a str,
    /// The consent purpose it is for.
    pub purpose: &'a str,
    /// Its fields' values.
    pub fields: BTreeMap<String, String>,
}

/// What the council received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    /// The record, as the council keeps it.
    pub received: ReceivedId,
    /// The person.
    pub person: PersonId,
    /// The record type.
    pub record_type: String,
    /// The agreement it came under.
    pub agreement: String,
}

/// Answers a partner's signed record for the council, at `now`.
pub async fn send(
    hub: &Hub<'_>,
    request: &Request<'_>,
    record: &Inbound<'_>,
    now: Timestamp,
) -> Result<Answer<Sent>, PartnerError> {
    let caller = match caller(hub, Asking::Signed(request), now).await? {
        Ok(caller) => caller,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let decided = decide(hub, &caller, record, now).await?;
    let (mut tx, answer, event) = spend(hub, &caller, now, decided).await?;
    if let Ok(sent) = &answer {
        let fields = serde_json::to_string(&record.fields)
            .map_err(|e| PartnerError::Unreadable(format!("a record's fields ({e})")))?;
        sql::query(
            "INSERT INTO hub_received (council_id, received_id, partner_id, agreement_id, purpose, \
             person_id, record_type, fields, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(hub.council.to_string())
        .bind(sent.received.to_string())
        .bind(&caller.partner.id)
        .bind(&sent.agreement)
        .bind(record.purpose)
        .bind(sent.person.to_string())
        .bind(&sent.record_type)
        .bind(fields)
        .bind(now.to_db())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        townhall_audit::append(&mut tx, &event).await?;
        let received = RecordReceived {
            received: sent.received,
            partner: caller.partner.id.clone(),
            agreement: sent.agreement.clone(),
            purpose: record.purpose.to_owned(),
            record_type: sent.record_type.clone(),
            person: sent.person,
        };
        let new = NewEvent::of(hub.council, now, &received)
            .map_err(|e| PartnerError::Unreadable(e.to_string()))?;
        townhall_events::record(&mut tx, &[new]).await?;
    } else {
        townhall_audit::append(&mut tx, &event).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(answer)
}

async fn decide(
    hub: &Hub<'_>,
    caller: &Caller,
    record: &Inbound<'_>,
    now: Timestamp,
) -> Result<(Answer<Sent>, AuditEvent), PartnerError> {
    let (person, accounts, asked) = named(
        hub,
        caller,
        (record.person, format!("send {}", record.record_type)),
        Action::Create,
        record.fields.keys().cloned(),
    )
    .await?;
    let agreement = match agreement_for(
        hub.agreements,
        &caller.partner.id,
        (record.purpose, record.record_type),
        Way::ToCouncil,
        now.uk_date(),
    ) {
        Ok(a) => a,
        Err(refusal) => return no(refusal, asked),
    };
    let allowed = agreement.fields_of(record.record_type).unwrap_or_default();
    let beyond = beyond(allowed, record.fields.keys());
    if !beyond.is_empty() {
        return no(Refusal::FieldNotAllowed(beyond), asked);
    }
    if record.fields.is_empty() {
        return no(
            Refusal::BadValue("a record must hold at least one field".into()),
            asked,
        );
    }
    for (field, value) in &record.fields {
        let clean = townhall_types::text::clean(value)
            .ok()
            .filter(|v| !v.trim().is_empty() && v.chars().count() <= MAX_VALUE);
        if clean.is_none() {
            return no(
                Refusal::BadValue(format!(
                    "{field} must be 1 to {MAX_VALUE} characters of text that can be typed"
                )),
                asked,
            );
        }
    }
    let (Some(person), Some(accounts)) = (person, accounts) else {
        return no(Refusal::UnknownPerson, asked);
    };
    let names: Vec<&str> = record.fields.keys().map(String::as_str).collect();
    if let Some(refusal) = consent_refusal(hub, agreement, &accounts, &names, now).await? {
        return no(refusal, asked);
    }
    let event = asked.purpose(under(hub, agreement, ""));
    Ok((
        Ok(Sent {
            received: ReceivedId::new(),
            person,
            record_type: record.record_type.to_owned(),
            agreement: agreement.id.clone(),
        }),
        event,
    ))
}

/// Deletes the records partners sent that each agreement's retention has
/// run out for (`retention_days` after they arrived): how many.
pub async fn forget_received(
    store: &townhall_store::Store,
    council: townhall_types::CouncilId,
    agreements: &crate::Agreements,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut forgotten = 0;
    let mut tx = store.begin().await?;
    for a in &agreements.0 {
        let before = now.plus(time::Duration::days(-i64::from(a.retention_days)));
        forgotten += sql::query(
            "DELETE FROM hub_received WHERE council_id = $1 AND agreement_id = $2 AND received_at < $3",
        )
        .bind(council.to_string())
        .bind(&a.id)
        .bind(before.to_db())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(forgotten)
}
