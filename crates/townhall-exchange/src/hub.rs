//! The one decision point every exchange passes. A partner's signed request
//! is checked (RFC 9421), then decided: an agreement in force for this
//! partner, purpose and record type; the resident's consent for that
//! purpose, from the consent component; and only the fields the agreement
//! names, read and nothing else. Every request, answered or refused, is
//! written to the audit log in the transaction that spends its nonce.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;
use townhall_audit::{Action, Actor, AuditEvent, Outcome, RecordRef};
use townhall_consent::{decide, DecisionRequest, Ground};
use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, PersonId, Timestamp, UserId};

use crate::agreement::{Agreement, Condition, Direction, Standing};
use crate::partners::{self, Partner, PartnerError};
use crate::signature::{check_digest, Request, SignatureRefusal, Signed, MAX_AGE, MAX_AHEAD};
use crate::Agreements;

/// What the hub decides with: the council's rules and records.
#[derive(Debug, Clone, Copy)]
pub struct Hub<'a> {
    /// The store.
    pub store: &'a Store,
    /// The council.
    pub council: CouncilId,
    /// Its consent policy.
    pub consent: &'a townhall_consent::Policy,
    /// Its resident index's rules (which system's value comes first).
    pub index: &'a townhall_index::policy::IndexPolicy,
    /// Its data-sharing agreements.
    pub agreements: &'a Agreements,
}

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

/// Why the hub refused: each with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The signature failed.
    Signature(SignatureRefusal),
    /// The partner has no agreement with the council.
    NoAgreement,
    /// None of the partner's agreements serves the purpose.
    WrongPurpose,
    /// The agreement for the purpose does not send data this way.
    WrongDirection,
    /// The agreement does not share this record type.
    RecordTypeNotAllowed,
    /// The agreement's first day is still to come.
    AgreementNotYetInForce,
    /// The agreement's last day has passed.
    AgreementExpired,
    /// Fields the agreement does not name.
    FieldNotAllowed(Vec<String>),
    /// No such person in the resident index.
    UnknownPerson,
    /// The resident said no to the purpose.
    ConsentWithdrawn,
    /// The resident's yes has ended.
    ConsentEnded,
    /// The purpose needs a yes (or the agreement asks for one), and the
    /// resident has not given it.
    NotConsented,
}

impl Refusal {
    /// Its stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Signature(s) => s.code(),
            Refusal::NoAgreement => "no_agreement",
            Refusal::WrongPurpose => "wrong_purpose",
            Refusal::WrongDirection => "wrong_direction",
            Refusal::RecordTypeNotAllowed => "record_type_not_allowed",
            Refusal::AgreementNotYetInForce => "agreement_not_in_force",
            Refusal::AgreementExpired => "agreement_expired",
            Refusal::FieldNotAllowed(_) => "field_not_allowed",
            Refusal::UnknownPerson => "unknown_person",
            Refusal::ConsentWithdrawn => "consent_withdrawn",
            Refusal::ConsentEnded => "consent_ended",
            Refusal::NotConsented => "not_consented",
        }
    }

    /// What it means, for the partner: never anything about the person
    /// beyond the code.
    pub fn message(&self) -> String {
        match self {
            Refusal::Signature(s) => s.to_string(),
            Refusal::NoAgreement => {
                "your organisation has no data-sharing agreement with the council".into()
            }
            Refusal::WrongPurpose => {
                "none of your organisation's agreements is for this purpose".into()
            }
            Refusal::WrongDirection => {
                "the agreement for this purpose does not share data with your organisation".into()
            }
            Refusal::RecordTypeNotAllowed => {
                "the agreement for this purpose does not share this record type".into()
            }
            Refusal::AgreementNotYetInForce => {
                "the agreement for this purpose is not in force yet".into()
            }
            Refusal::AgreementExpired => "the agreement for this purpose has ended".into(),
            Refusal::FieldNotAllowed(fields) => format!(
                "the agreement for this purpose does not share: {}",
                fields.join(", ")
            ),
            Refusal::UnknownPerson => "the resident index has no such person".into(),
            Refusal::ConsentWithdrawn => {
                "the resident has said no to sharing for this purpose".into()
            }
            Refusal::ConsentEnded => "the resident's permission for this purpose has ended".into(),
            Refusal::NotConsented => {
                "the resident has not said yes to sharing for this purpose".into()
            }
        }
    }

    /// Whether it is about who is asking (401) rather than what (403, or
    /// 404 for nobody).
    pub fn unauthenticated(&self) -> bool {
        matches!(self, Refusal::Signature(_))
    }
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

/// The hub's answer.
pub type Answer = Result<Released, Refusal>;

/// Who a checked signature belongs to.
struct Caller {
    partner: Partner,
    key_id: String,
    nonce: String,
}

/// Answers a partner's signed request to read a record, at `now`.
pub async fn read(
    hub: &Hub<'_>,
    request: &Request<'_>,
    ask: &Read<'_>,
    now: Timestamp,
) -> Result<Answer, PartnerError> {
    let caller = match authenticate(hub, request, now).await? {
        Ok(caller) => caller,
        Err(refusal) => {
            let event = AuditEvent::new(
                hub.council,
                (
                    Actor::Partner("unidentified".into()),
                    "An unidentified caller",
                ),
                Action::Read,
                RecordRef::Exchange(described(request)),
            )
            .purpose(format!("refused: {}", refusal.code()))
            .outcome(Outcome::Denied);
            townhall_audit::record(hub.store, &event).await?;
            return Ok(Err(Refusal::Signature(refusal)));
        }
    };
    let decided = decide_read(hub, &caller.partner, ask, now).await?;
    let mut tx = hub.store.begin().await?;
    let spent = sql::query(
        "INSERT INTO hub_nonces (council_id, key_id, nonce, created) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(hub.council.to_string())
    .bind(&caller.key_id)
    .bind(&caller.nonce)
    .bind(now.unix_seconds())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?
    .rows_affected()
        == 1;
    // Nonces older than the window are refused as stale anyway.
    sql::query("DELETE FROM hub_nonces WHERE council_id = $1 AND key_id = $2 AND created < $3")
        .bind(hub.council.to_string())
        .bind(&caller.key_id)
        .bind(now.unix_seconds() - MAX_AGE - MAX_AHEAD)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let (answer, event) = match decided {
        _ if !spent => {
            let refusal = Refusal::Signature(SignatureRefusal::Replayed);
            let event = refused_event(hub, &caller, ask, &refusal, None);
            (Err(refusal), event)
        }
        Decided::Refused(refusal, accounts) => {
            let event = refused_event(hub, &caller, ask, &refusal, accounts.first().copied());
            (Err(refusal), event)
        }
        Decided::Allowed(released, agreement, accounts) => {
            let purpose = hub
                .consent
                .purpose(&released.purpose)
                .map_or(released.purpose.as_str(), |p| p.title.as_str());
            let event = AuditEvent::new(
                hub.council,
                (
                    Actor::Partner(caller.partner.id.clone()),
                    &caller.partner.name,
                ),
                Action::Read,
                RecordRef::Person(released.person),
            )
            .about(accounts.first())
            .fields(released.fields.keys().map(|f| (*f).to_owned()))
            .purpose(format!(
                "{purpose}, under the agreement '{}' (until {})",
                agreement.title,
                human_date(agreement.expires)
            ));
            (Ok(released), event)
        }
    };
    townhall_audit::append(&mut tx, &event).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(answer)
}

fn human_date(day: Date) -> String {
    format!("{} {} {}", day.day(), day.month(), day.year())
}

/// The method and path, for the audit log: at most 200 characters.
fn described(request: &Request<'_>) -> String {
    format!("{} {}", request.method, request.path)
        .chars()
        .take(200)
        .collect()
}

fn refused_event(
    hub: &Hub<'_>,
    caller: &Caller,
    ask: &Read<'_>,
    refusal: &Refusal,
    account: Option<UserId>,
) -> AuditEvent {
    let record = match ask.person.parse::<PersonId>() {
        Ok(person) => RecordRef::Person(person),
        Err(_) => RecordRef::Exchange(
            format!("read {}", ask.record_type)
                .chars()
                .take(200)
                .collect(),
        ),
    };
    AuditEvent::new(
        hub.council,
        (
            Actor::Partner(caller.partner.id.clone()),
            &caller.partner.name,
        ),
        Action::Read,
        record,
    )
    .about(account)
    .fields(ask.fields.iter().flatten().take(20).cloned())
    .purpose(format!("refused: {}", refusal.code()))
    .outcome(Outcome::Denied)
}

/// Checks the signature: the caller, or why not.
async fn authenticate(
    hub: &Hub<'_>,
    request: &Request<'_>,
    now: Timestamp,
) -> Result<Result<Caller, SignatureRefusal>, PartnerError> {
    let signed = match Signed::read(request) {
        Ok(signed) => signed,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Err(refusal) = signed.check_time(now.unix_seconds()) {
        return Ok(Err(refusal));
    }
    let Some(key) = partners::key(hub.store, hub.council, &signed.key_id).await? else {
        return Ok(Err(SignatureRefusal::UnknownKey));
    };
    let made = time::OffsetDateTime::from_unix_timestamp(signed.created)
        .map(Timestamp::from_datetime)
        .map_err(|_| PartnerError::Unreadable("a signature's time".into()));
    match made {
        Ok(made) if key.valid_at(made) => {}
        _ => return Ok(Err(SignatureRefusal::KeyNotValid)),
    }
    if let Err(refusal) = signed.verify(&key.public_key) {
        return Ok(Err(refusal));
    }
    if let Err(refusal) = check_digest(request) {
        return Ok(Err(refusal));
    }
    let partner = partners::get(hub.store, hub.council, &key.partner)
        .await?
        .ok_or_else(|| PartnerError::Unreadable(format!("partner key {}", key.key_id)))?;
    Ok(Ok(Caller {
        partner,
        key_id: signed.key_id,
        nonce: signed.nonce,
    }))
}

enum Decided<'h> {
    Allowed(Released, &'h Agreement, Vec<UserId>),
    Refused(Refusal, Vec<UserId>),
}

/// The agreement that lets `partner` read `record_type` for `purpose` on
/// `day`, or the first reason none does.
pub fn agreement_for<'h>(
    agreements: &'h Agreements,
    partner: &str,
    purpose: &str,
    record_type: &str,
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
    let outward: Vec<&Agreement> = for_purpose
        .into_iter()
        .filter(|a| matches!(a.direction, Direction::CouncilToPartner | Direction::Both))
        .collect();
    if outward.is_empty() {
        return Err(Refusal::WrongDirection);
    }
    let sharing: Vec<&Agreement> = outward
        .into_iter()
        .filter(|a| a.fields_of(record_type).is_some())
        .collect();
    if sharing.is_empty() {
        return Err(Refusal::RecordTypeNotAllowed);
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

async fn decide_read<'h>(
    hub: &Hub<'h>,
    partner: &Partner,
    ask: &Read<'_>,
    now: Timestamp,
) -> Result<Decided<'h>, PartnerError> {
    let refused = |r: Refusal| Ok(Decided::Refused(r, Vec::new()));
    let day = now.datetime().date();
    let agreement = match agreement_for(
        hub.agreements,
        &partner.id,
        ask.purpose,
        ask.record_type,
        day,
    ) {
        Ok(a) => a,
        Err(r) => return refused(r),
    };
    let allowed = agreement.fields_of(ask.record_type).unwrap_or_default();
    let fields: Vec<&'static str> = match &ask.fields {
        None => allowed.iter().map(|f| f.name).collect(),
        Some(asked) => {
            let beyond: Vec<String> = asked
                .iter()
                .filter(|f| !allowed.iter().any(|a| a.name == f.as_str()))
                .take(20)
                .map(|f| f.chars().take(60).collect())
                .collect();
            if !beyond.is_empty() {
                return refused(Refusal::FieldNotAllowed(beyond));
            }
            allowed
                .iter()
                .filter(|a| asked.iter().any(|f| f == a.name))
                .map(|a| a.name)
                .collect()
        }
    };
    let Ok(person) = ask.person.parse::<PersonId>() else {
        return refused(Refusal::UnknownPerson);
    };
    let Some(accounts) = townhall_index::held::accounts_of(hub.store, hub.council, person).await?
    else {
        return refused(Refusal::UnknownPerson);
    };
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
        if let Some(refusal) = refusal {
            return Ok(Decided::Refused(refusal, accounts));
        }
    }
    let mut held =
        townhall_index::held::values_of(hub.store, hub.council, hub.index, person, &fields).await?;
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
    Ok(Decided::Allowed(released, agreement, accounts))
}
