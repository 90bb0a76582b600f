//! The one decision point every exchange passes. A partner's signed request
//! is checked (RFC 9421), or its member of staff is signed in to the hub's
//! pages; either is then decided: an agreement in force for this
//! partner, purpose and record type; the resident's consent for that
//! purpose, from the consent component; and only the fields the agreement
//! names, read and nothing else. Every request, answered or refused, is
//! written to the audit log in the transaction that spends its nonce (a
//! signed request's) or decides it (a person's).
//!
//! [`rules`] holds the decision itself; [`read`], [`find`], [`send`] and
//! [`subscribe`] are the operations partners call.

mod find;
mod read;
pub(crate) mod rules;
mod send;
mod subscribe;

pub use find::{find, Find, Located};
pub use read::{read, Read, Released};
pub use rules::{agreement_for, Way};
pub use send::{forget_received, send, Inbound, Sent};
pub use subscribe::subscribe;

use townhall_audit::{Action, Actor, AuditEvent, Outcome, RecordRef};
use townhall_identity::PartnerStaffMember;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, PersonId, Timestamp, UserId};

use crate::agreement::Agreement;

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
    /// Its resident index: who a partner means, and which system's value
    /// comes first.
    pub index: &'a townhall_index::live::LiveIndex,
    /// Its data-sharing agreements.
    pub agreements: &'a Agreements,
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
    /// A value the hub cannot take.
    BadValue(String),
    /// A query or body that cannot be read: its code (`invalid_query`,
    /// `invalid_body`) and why.
    Unreadable(&'static str, String),
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
    /// A search that cannot be made as it is.
    BadSearch(&'static str),
    /// Nobody in the resident index is close enough to the search.
    NoMatch,
    /// Several people could be meant, or the only one is in doubt.
    AmbiguousMatch,
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
            Refusal::BadValue(_) => "invalid_value",
            Refusal::Unreadable(code, _) => code,
            Refusal::RecordTypeNotAllowed => "record_type_not_allowed",
            Refusal::AgreementNotYetInForce => "agreement_not_in_force",
            Refusal::AgreementExpired => "agreement_expired",
            Refusal::FieldNotAllowed(_) => "field_not_allowed",
            Refusal::UnknownPerson => "unknown_person",
            Refusal::BadSearch(_) => "invalid_search",
            Refusal::NoMatch => "no_match",
            Refusal::AmbiguousMatch => "ambiguous_match",
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
                "the agreement for this purpose does not share data this way".into()
            }
            Refusal::BadValue(why) | Refusal::Unreadable(_, why) => why.clone(),
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
            Refusal::BadSearch(why) => (*why).to_owned(),
            Refusal::NoMatch => "nobody in the council's records matches closely enough".into(),
            Refusal::AmbiguousMatch => "more than one person could be meant, or the match is in doubt: give more details, such as the NHS number".into(),
            Refusal::ConsentWithdrawn => {
                "the resident has said no to sharing for this purpose".into()
            }
            Refusal::ConsentEnded => "the resident's permission for this purpose has ended".into(),
            Refusal::NotConsented => {
                "the resident has not said yes to sharing for this purpose".into()
            }
        }
    }

    /// Why, in words for the resident it was about, as their access log
    /// shows it: "Refused, because …".
    pub fn to_resident(&self) -> &'static str {
        match self {
            Refusal::Signature(SignatureRefusal::Replayed) => "its request repeated an earlier one",
            Refusal::Signature(_) => "its request was not properly signed",
            Refusal::NoAgreement => "the council has no data-sharing agreement with it",
            Refusal::WrongPurpose => "the council has no agreement with it for that purpose",
            Refusal::WrongDirection => "its agreement does not share that information that way",
            Refusal::BadValue(_) | Refusal::Unreadable(..) => "what it sent could not be read",
            Refusal::RecordTypeNotAllowed => "its agreement does not cover that information",
            Refusal::AgreementNotYetInForce => "its agreement has not started yet",
            Refusal::AgreementExpired => "its agreement has ended",
            Refusal::FieldNotAllowed(_) => "it asked for more than its agreement allows",
            Refusal::UnknownPerson => "the council has no such record",
            Refusal::BadSearch(_) => "its search could not be made",
            Refusal::NoMatch => "nobody matched its search closely enough",
            Refusal::AmbiguousMatch => "its search could have meant more than one person",
            Refusal::ConsentWithdrawn => "you said no to sharing for this",
            Refusal::ConsentEnded => "your permission to share for this has ended",
            Refusal::NotConsented => "you have not said yes to sharing for this",
        }
    }

    /// The HTTP status it is answered with: 401 when it is about who is
    /// asking, 400 for a search that cannot be made, 404 for nobody, 409
    /// when several could be meant, else 403.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Signature(_) => 401,
            Refusal::BadSearch(_) | Refusal::BadValue(_) | Refusal::Unreadable(..) => 400,
            Refusal::UnknownPerson | Refusal::NoMatch => 404,
            Refusal::AmbiguousMatch => 409,
            _ => 403,
        }
    }
}

/// The hub's answer: what was asked, or why not.
pub type Answer<T> = Result<T, Refusal>;

/// Who asks the hub.
#[derive(Debug, Clone, Copy)]
pub enum Asking<'a> {
    /// A partner's system, by a signed request.
    Signed(&'a Request<'a>),
    /// A member of a partner's staff, signed in to the hub's pages (the
    /// page has asked `townhall_authz` whether they may use them).
    SignedIn(&'a PartnerStaffMember),
}

/// Who asked, once known: the partner, and its key or person.
struct Caller {
    partner: Partner,
    by: By,
}

/// How a caller asked.
enum By {
    /// A request signed with `key_id`, whose `nonce` is spent when the
    /// request is settled.
    Key { key_id: String, nonce: String },
    /// A member of the partner's staff, by account id, with their name.
    Person { id: UserId, name: String },
}

impl Caller {
    /// An audit entry of this caller's: the partner's, or its member of
    /// staff's ("Dr Amira Patel, Riverside Medical Centre").
    fn event(&self, council: CouncilId, record: RecordRef) -> AuditEvent {
        let (actor, label) = match &self.by {
            By::Key { .. } => (
                Actor::Partner(self.partner.id.clone()),
                self.partner.name.clone(),
            ),
            By::Person { id, name } => (
                Actor::PartnerStaff(id.to_string()),
                format!("{name}, {}", self.partner.name),
            ),
        };
        AuditEvent::new(council, (actor, &label), Action::Read, record)
    }
}

/// Who is asking, or why the hub refuses them. A refusal of a request
/// naming a partner's key is audited as that partner's; one naming no key
/// the hub knows is only logged: it is nobody's request, and anyone could
/// otherwise fill the audit log.
async fn caller(
    hub: &Hub<'_>,
    asking: Asking<'_>,
    now: Timestamp,
) -> Result<Result<Caller, Refusal>, PartnerError> {
    let request = match asking {
        Asking::Signed(request) => request,
        Asking::SignedIn(member) => {
            let partner = partners::get(hub.store, hub.council, &member.partner)
                .await?
                .ok_or_else(|| PartnerError::Unknown(member.partner.clone()))?;
            return Ok(Ok(Caller {
                partner,
                by: By::Person {
                    id: member.user.id,
                    name: member.user.display_name.clone(),
                },
            }));
        }
    };
    let (refusal, partner) = match authenticate(hub, request, now).await? {
        Ok(caller) => return Ok(Ok(caller)),
        Err(refused) => refused,
    };
    match partner {
        Some(partner) => {
            let what: String = format!("{} {}", request.method, request.path)
                .chars()
                .take(200)
                .collect();
            let event = AuditEvent::new(
                hub.council,
                (Actor::Partner(partner.id.clone()), &partner.name),
                Action::Read,
                RecordRef::Exchange(what),
            )
            .purpose(format!(
                "Refused, because {}",
                Refusal::Signature(refusal.clone()).to_resident()
            ))
            .outcome(Outcome::Denied);
            townhall_audit::record(hub.store, &event).await?;
        }
        None => tracing::info!(
            code = refusal.code(),
            method = request.method,
            "a request to the data-exchange hub without a known key was refused"
        ),
    }
    Ok(Err(Refusal::Signature(refusal)))
}

/// Checks the signature: the caller, or why not (with the partner whose
/// key it names, once the key is known).
async fn authenticate(
    hub: &Hub<'_>,
    request: &Request<'_>,
    now: Timestamp,
) -> Result<Result<Caller, (SignatureRefusal, Option<Partner>)>, PartnerError> {
    let signed = match Signed::read(request) {
        Ok(signed) => signed,
        Err(refusal) => return Ok(Err((refusal, None))),
    };
    let Some(key) = partners::key(hub.store, hub.council, &signed.key_id).await? else {
        return Ok(Err((SignatureRefusal::UnknownKey, None)));
    };
    let partner = partners::get(hub.store, hub.council, &key.partner)
        .await?
        .ok_or_else(|| PartnerError::Unreadable(format!("partner key {}", key.key_id)))?;
    let checked = signed
        .check_time(now.unix_seconds())
        .and_then(|()| {
            // Valid both when the signature was made and now: a key retired
            // since signs nothing more, however recent its signatures.
            let made = time::OffsetDateTime::from_unix_timestamp(signed.created)
                .map(Timestamp::from_datetime)
                .ok();
            if made.is_some_and(|made| key.valid_at(made)) && key.valid_at(now) {
                Ok(())
            } else {
                Err(SignatureRefusal::KeyNotValid)
            }
        })
        .and_then(|()| signed.verify(&key.public_key))
        .and_then(|()| check_digest(request));
    Ok(match checked {
        Ok(()) => Ok(Caller {
            partner,
            by: By::Key {
                key_id: signed.key_id,
                nonce: signed.nonce,
            },
        }),
        Err(refusal) => Err((refusal, Some(partner))),
    })
}

/// Spends the caller's nonce and writes the audit entry of its decided
/// request, in one transaction: a nonce spent before turns the answer into
/// a refusal.
async fn settle<T>(
    hub: &Hub<'_>,
    caller: &Caller,
    now: Timestamp,
    (answer, event): (Answer<T>, AuditEvent),
) -> Result<Answer<T>, PartnerError> {
    let (mut tx, answer, event) = spend(hub, caller, now, (answer, event)).await?;
    townhall_audit::append(&mut tx, &event).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(answer)
}

/// Refuses a signed request whose query or body cannot be read: after its
/// signature (an unsigned caller learns nothing of the API), spending its
/// nonce and auditing it as any refusal.
pub async fn refuse(
    hub: &Hub<'_>,
    request: &Request<'_>,
    refusal: Refusal,
    now: Timestamp,
) -> Result<Refusal, PartnerError> {
    let caller = match caller(hub, Asking::Signed(request), now).await? {
        Ok(caller) => caller,
        Err(signature) => return Ok(signature),
    };
    let what: String = format!("{} {}", request.method, request.path)
        .chars()
        .take(200)
        .collect();
    let event = refused(
        caller.event(hub.council, RecordRef::Exchange(what)),
        &refusal,
    );
    let answer: Answer<()> = Err(refusal);
    Ok(settle(hub, &caller, now, (answer, event))
        .await?
        .err()
        .unwrap_or(Refusal::Signature(SignatureRefusal::Replayed)))
}

/// Begins the transaction that settles a decided request: spends a signed
/// request's nonce in it (a nonce spent before turns the answer into a
/// refusal, and its audit entry with it). The caller writes what the
/// answer changes, then the audit entry, then commits.
async fn spend<T>(
    hub: &Hub<'_>,
    caller: &Caller,
    now: Timestamp,
    (answer, event): (Answer<T>, AuditEvent),
) -> Result<(Tx, Answer<T>, AuditEvent), PartnerError> {
    let mut tx = hub.store.begin().await?;
    let By::Key { key_id, nonce } = &caller.by else {
        return Ok((tx, answer, event));
    };
    let spent = sql::query(
        "INSERT INTO hub_nonces (council_id, key_id, nonce, created) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(hub.council.to_string())
    .bind(key_id)
    .bind(nonce)
    .bind(now.unix_seconds())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?
    .rows_affected()
        == 1;
    // Nonces older than the window are refused as stale anyway.
    sql::query("DELETE FROM hub_nonces WHERE council_id = $1 AND key_id = $2 AND created < $3")
        .bind(hub.council.to_string())
        .bind(key_id)
        .bind(now.unix_seconds() - MAX_AGE - MAX_AHEAD)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if spent {
        return Ok((tx, answer, event));
    }
    let refusal = Refusal::Signature(SignatureRefusal::Replayed);
    Ok((tx, Err(refusal.clone()), refused(event, &refusal)))
}

/// `event`, as a refusal for `refusal`.
pub(crate) fn refused(event: AuditEvent, refusal: &Refusal) -> AuditEvent {
    event
        .purpose(format!("Refused, because {}", refusal.to_resident()))
        .outcome(Outcome::Denied)
}

/// Who a request names and its audit entry, before anything is decided:
/// the person (if `person` is one's id), the accounts they hold (if the
/// index has them) — so that every request about a person is shown to
/// them, refused or not — and the entry, `action` on the person (or on
/// `what`, when no person is named) with the fields asked.
async fn named(
    hub: &Hub<'_>,
    caller: &Caller,
    (person, what): (&str, String),
    action: Action,
    fields: impl IntoIterator<Item = String>,
) -> Result<(Option<PersonId>, Option<Vec<UserId>>, AuditEvent), PartnerError> {
    let person = person.parse::<PersonId>().ok();
    let accounts = match person {
        Some(person) => townhall_index::held::accounts_of(hub.store, hub.council, person).await?,
        None => None,
    };
    let record = match person {
        Some(person) => RecordRef::Person(person),
        None => RecordRef::Exchange(what.chars().take(200).collect()),
    };
    let mut event = caller
        .event(hub.council, record)
        .fields(fields.into_iter().take(20))
        .about(accounts.iter().flatten().next());
    event.action = action;
    Ok((person, accounts, event))
}

/// A refusal, decided: the answer and its audit entry.
fn no<T>(refusal: Refusal, event: AuditEvent) -> Result<(Answer<T>, AuditEvent), PartnerError> {
    let event = refused(event, &refusal);
    Ok((Err(refusal), event))
}

/// Why, for the audit log and the resident, when `agreement` allows it:
/// "Health and wellbeing checks by my GP, under the agreement 'GP wellbeing
/// checks' (until 31 March 2028)", with `doing` after the purpose if given.
pub(crate) fn under(hub: &Hub<'_>, agreement: &Agreement, doing: &str) -> String {
    let purpose = hub
        .consent
        .purpose(&agreement.purpose)
        .map_or(agreement.purpose.as_str(), |p| p.title.as_str());
    format!(
        "{purpose}{doing}, under the agreement '{}' (until {})",
        agreement.title,
        townhall_types::day::long(agreement.expires)
    )
}
