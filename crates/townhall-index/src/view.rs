//! The single view: one person across the council's systems, for a member
//! of a team the index policy allows, for a declared consent purpose. The
//! consent decision point is asked for every account the person holds (or,
//! without one, for the purpose's default), and every opening — allowed or
//! refused — is in the audit log.

use townhall_audit::{Action, Actor, AuditEvent, Outcome, RecordRef};
use townhall_consent::{decide, DecisionRequest, Policy as ConsentPolicy};
use townhall_store::{Store, StoreError};
use townhall_types::{CouncilId, PersonId, Timestamp, UserId};

use crate::policy::IndexPolicy;
use crate::records::{self, RecordKey};
use crate::IndexError;

/// Who is looking, and why.
#[derive(Debug, Clone)]
pub struct Viewer<'a> {
    /// For the audit log.
    pub actor: Actor,
    /// As shown to residents in their access log.
    pub label: &'a str,
    /// Their team's name, if they have one.
    pub team: Option<&'a str>,
    /// The consent purpose they look for.
    pub purpose: &'a str,
}

/// One record as the view shows it: only the fields the purpose covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// Which system holds it, and its id there, when the purpose covers
    /// `services_involved`. Without it, records that show the same values
    /// are shown once, so not even their number tells which services know
    /// the person.
    pub source: Option<RecordKey>,
    /// Name, if the purpose covers it.
    pub name: Option<String>,
    /// Date of birth, if covered.
    pub date_of_birth: Option<String>,
    /// Address line and postcode, if covered.
    pub address: Option<String>,
    /// Email address, if covered.
    pub email: Option<String>,
    /// Phone number, if covered.
    pub phone: Option<String>,
    /// Its best match probability within the person (with its source only).
    pub probability: Option<f64>,
}

/// A person seen whole.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleView {
    /// Who.
    pub person: PersonId,
    /// Why the view is allowed, in words for the viewer.
    pub reason: String,
    /// Their records, system by system.
    pub records: Vec<Shown>,
}

/// Opens `person` for `viewer`. `Ok(None)` when the index has no such person.
pub async fn person_as(
    store: &Store,
    consent: &ConsentPolicy,
    policy: &IndexPolicy,
    council: CouncilId,
    person: PersonId,
    viewer: &Viewer<'_>,
) -> Result<Option<SingleView>, IndexError> {
    let view = policy
        .views
        .iter()
        .find(|v| v.purpose == viewer.purpose)
        .ok_or_else(|| {
            IndexError::NotAllowed(format!(
                "people cannot be seen whole for the purpose '{}'",
                viewer.purpose
            ))
        })?;
    let title = consent
        .purpose(&view.purpose)
        .map_or(view.purpose.as_str(), |p| p.title.as_str());
    match viewer.team {
        Some(team) if view.teams.iter().any(|t| t == team) => {}
        _ => {
            return Err(IndexError::NotAllowed(format!(
                "for '{title}', only these teams may see people whole: {}",
                view.teams.join(", ")
            )))
        }
    }
    let found = records::of_person(store, council, person).await?;
    if found.is_empty() {
        return Ok(None);
    }
    let mut accounts: Vec<Option<UserId>> =
        found.iter().filter_map(|r| r.account).map(Some).collect();
    accounts.sort();
    accounts.dedup();
    if accounts.is_empty() {
        accounts.push(None);
    }
    let at = Timestamp::now();
    let mut reasons = Vec::new();
    let mut refusal = None;
    for account in &accounts {
        let decision = decide(
            store,
            consent,
            &DecisionRequest {
                council,
                resident: *account,
                recipient: &view.recipient,
                purpose: &view.purpose,
                fields: &view.fields,
                at,
            },
        )
        .await?;
        if decision.allow {
            reasons.push(decision.reason);
        } else {
            refusal = Some(decision.reason);
            break;
        }
    }
    let mut tx = store.begin().await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (viewer.actor.clone(), viewer.label),
            Action::Read,
            RecordRef::Person(person),
        )
        .about(accounts.iter().flatten().next())
        .fields(view.fields.iter().cloned())
        .purpose(title)
        .outcome(if refusal.is_some() {
            Outcome::Denied
        } else {
            Outcome::Allowed
        }),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    if let Some(reason) = refusal {
        return Err(IndexError::Refused(reason));
    }
    let covers = |field: &str| view.fields.iter().any(|f| f == field);
    let present = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let mut records: Vec<Shown> = found
        .into_iter()
        .map(|r| {
            let p = &r.person;
            Shown {
                name: covers("name")
                    .then(|| present(&format!("{} {}", p.first_name, p.surname)))
                    .flatten(),
                date_of_birth: covers("date_of_birth")
                    .then(|| present(&p.date_of_birth))
                    .flatten(),
                address: covers("address")
                    .then(|| {
                        let lines: Vec<&str> = p
                            .address
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .collect();
                        present(&format!("{} {}", lines.join(", "), p.postcode))
                    })
                    .flatten(),
                email: covers("email").then(|| present(&p.email)).flatten(),
                phone: covers("phone").then(|| present(&p.phone)).flatten(),
                probability: covers("services_involved")
                    .then_some(r.probability)
                    .flatten(),
                source: covers("services_involved").then_some(r.key),
            }
        })
        .collect();
    if !covers("services_involved") {
        let mut distinct: Vec<Shown> = Vec::new();
        for r in records {
            if !distinct.contains(&r) {
                distinct.push(r);
            }
        }
        records = distinct;
    }
    reasons.dedup();
    Ok(Some(SingleView {
        person,
        reason: reasons.join("; "),
        records,
    }))
}
