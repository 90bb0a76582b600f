//! What staff do to a case: move it through its workflow, write notes, assign it.
//! Each change is recorded in the case's history and in the audit log.

use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_notify::Templates;
use townhall_places::Council;
use townhall_services::{Catalogue, Service};
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CaseId, PermitId, Timestamp, UserId};

use crate::model::{Audience, Case, Requester};
use crate::{events, history, row, CaseError};

/// A member of staff acting on a case.
#[derive(Debug, Clone)]
pub struct StaffActor {
    /// Their account.
    pub id: UserId,
    /// How they are shown, e.g. "Priya Shah, Caseworker, Highways".
    pub label: String,
}

/// What a member of staff does to a case.
#[derive(Debug, Clone, Copy)]
pub enum Work<'a> {
    /// Moves it to a status of its service's workflow, with an optional
    /// update for the reporter.
    Status {
        /// The status's id.
        to: &'a str,
        /// What the reporter is told.
        update: Option<Update<'a>>,
    },
    /// Writes a note for `audience`.
    Note {
        /// The text.
        text: &'a str,
        /// Who may read it.
        audience: Audience,
    },
    /// Gives it to a member of staff (their account and name), or to nobody.
    Assign {
        /// Who, if anyone.
        to: Option<(UserId, &'a str)>,
    },
    /// Closes it as a duplicate of another case, which its reporter then follows.
    Merge {
        /// The case it duplicates.
        into: CaseId,
    },
}

/// Does `work` to case `id` as `by`, in one transaction: all of it, or
/// nothing when it is refused ([`CaseError::NotAllowed`], with the reason
/// for staff).
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    store: &Store,
    templates: &Templates,
    council: &Council,
    services: &Catalogue,
    id: CaseId,
    work: Work<'_>,
    by: &StaffActor,
    at: Timestamp,
) -> Result<(), CaseError> {
    let mut tx = store.begin().await?;
    let mut case = load(&mut tx, council, id)
        .await?
        .ok_or(CaseError::NotFound)?;
    let service = services.get(&case.service).ok_or_else(|| {
        CaseError::Workflow(format!("service {} is no longer configured", case.service))
    })?;
    let from = case.status.clone();
    match work {
        Work::Status { to, update } => {
            change_status(&mut tx, council, service, &mut case, to, update, by, at).await?
        }
        Work::Note { text, audience } => {
            add_note(&mut tx, council, &case, text, audience, by, at).await?
        }
        Work::Assign { to } => assign(&mut tx, council, &mut case, to, by, at).await?,
        Work::Merge { into } => {
            let into = load(&mut tx, council, into)
                .await?
                .ok_or(CaseError::NotFound)?;
            merge(
                &mut tx, templates, council, service, &mut case, &into, by, at,
            )
            .await?
        }
    }
    // A move to the status it is in is allowed where the workflow says so
    // (another update for the reporter): it is told as a change too.
    if matches!(work, Work::Status { .. }) || case.status != from {
        let changed = events::status_changed(council.id, &case, &from, at)?;
        townhall_events::record(&mut tx, &[changed]).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Loads a case for changing it, inside the transaction.
pub async fn load(
    tx: &mut Tx,
    council: &Council,
    case: CaseId,
) -> Result<Option<Case>, StoreError> {
    let found = sql::query(&format!(
        "SELECT {} FROM cases WHERE council_id = $1 AND case_id = $2",
        row::CASE_COLUMNS
    ))
    .bind(council.id.to_string())
    .bind(case.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    found.as_ref().map(row::case).transpose()
}

async fn audit(
    tx: &mut Tx,
    council: &Council,
    case: &Case,
    by: &StaffActor,
    fields: &[&str],
    purpose: &str,
) -> Result<(), StoreError> {
    townhall_audit::append(
        tx,
        &AuditEvent::new(
            council.id,
            (Actor::Staff(by.id.to_string()), &by.label),
            Action::Update,
            RecordRef::Case(case.id),
        )
        .about(case.resident)
        .fields(fields.iter().copied())
        .purpose(purpose),
    )
    .await?;
    Ok(())
}

/// The longest note or update, in characters: a few pages of text.
pub const NOTE_MAX_CHARS: usize = 5_000;

/// What a member of staff writes when moving a case on: the person who
/// reported it sees it and is sent it; it is published in the open feed only
/// when staff chose to publish it.
#[derive(Debug, Clone, Copy)]
pub struct Update<'a> {
    /// The text.
    pub text: &'a str,
    /// Whether anyone may read it, not only the reporter.
    pub published: bool,
}

/// Moves `case` to status `to`, with an optional update that the resident
/// sees and is sent. Issues the service's permit when `to` is the status
/// that issues it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn change_status(
    tx: &mut Tx,
    council: &Council,
    service: &Service,
    case: &mut Case,
    to: &str,
    update: Option<Update<'_>>,
    by: &StaffActor,
    at: Timestamp,
) -> Result<(), CaseError> {
    let Some(status) = service.workflow.status(to) else {
        return Err(CaseError::NotAllowed(format!(
            "'{to}' is not a status of {}",
            service.name
        )));
    };
    if !service.workflow.allows(&case.status, to) {
        let from = service
            .workflow
            .status(&case.status)
            .map_or(case.status.as_str(), |s| s.label.as_str());
        return Err(CaseError::NotAllowed(format!(
            "a case that is '{from}' cannot move to '{}'",
            status.label
        )));
    }
    sql::query(
        "UPDATE cases SET status = $3, closed = $4, updated_at = $5 WHERE council_id = $1 AND case_id = $2",
    )
    .bind(council.id.to_string())
    .bind(case.id.to_string())
    .bind(to)
    .bind(i64::from(status.closed))
    .bind(at.to_db())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from)?;
    case.status = to.to_owned();
    case.closed = status.closed;
    case.updated_at = at;
    let published = update.is_some_and(|u| u.published);
    let update = update.map(|u| u.text.trim()).filter(|u| !u.is_empty());
    if update.is_some_and(|u| u.chars().count() > NOTE_MAX_CHARS) {
        return Err(CaseError::NotAllowed(format!(
            "an update must be {NOTE_MAX_CHARS} characters or fewer"
        )));
    }
    history::record(
        tx,
        council.id,
        case.id,
        &history::Event {
            kind: "status",
            status: Some(to),
            note: update,
            audience: if published {
                Audience::Public
            } else {
                Audience::Reporter
            },
            actor: &by.label,
            at,
        },
    )
    .await?;
    if let Some(permit) = service.permit.as_ref().filter(|p| p.issued_at == to) {
        let until = at.plus(time::Duration::days(i64::from(permit.valid_for_days)));
        sql::query(
            "INSERT INTO permits (council_id, permit_id, case_id, service_id, name, valid_from, valid_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(council.id.to_string())
        .bind(PermitId::new().to_string())
        .bind(case.id.to_string())
        .bind(&service.id)
        .bind(&permit.name)
        .bind(at.to_db())
        .bind(until.to_db())
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from)?;
    }
    audit(tx, council, case, by, &["status"], "working on the request").await?;
    Ok(())
}

/// Adds a note for `audience`: staff only, the reporter too, or everyone.
pub(crate) async fn add_note(
    tx: &mut Tx,
    council: &Council,
    case: &Case,
    text: &str,
    audience: Audience,
    by: &StaffActor,
    at: Timestamp,
) -> Result<(), CaseError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CaseError::NotAllowed("a note cannot be empty".into()));
    }
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(CaseError::NotAllowed(format!(
            "a note must be {NOTE_MAX_CHARS} characters or fewer"
        )));
    }
    history::record(
        tx,
        council.id,
        case.id,
        &history::Event {
            kind: "note",
            status: None,
            note: Some(text),
            audience,
            actor: &by.label,
            at,
        },
    )
    .await?;
    touch(tx, council, case.id, at).await?;
    audit(tx, council, case, by, &["notes"], "working on the request").await?;
    Ok(())
}

/// Closes `duplicate` as a duplicate of `into` (same service, still open):
/// it moves to the service's status marked `external = "duplicate"`, records
/// which case it duplicates, and its reporter follows `into` from then on.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn merge(
    tx: &mut Tx,
    templates: &Templates,
    council: &Council,
    service: &Service,
    duplicate: &mut Case,
    into: &Case,
    by: &StaffActor,
    at: Timestamp,
) -> Result<(), CaseError> {
    if duplicate.id == into.id {
        return Err(CaseError::NotAllowed(
            "a case cannot duplicate itself".into(),
        ));
    }
    if duplicate.service != into.service || into.closed {
        return Err(CaseError::NotAllowed(format!(
            "{} must be an open case of the same service",
            into.reference
        )));
    }
    let Some(status) = service
        .workflow
        .statuses
        .iter()
        .find(|s| s.external.as_deref() == Some("duplicate"))
    else {
        return Err(CaseError::NotAllowed(format!(
            "{} has no status for duplicates",
            service.name
        )));
    };
    let status = status.id.clone();
    let note = format!("Merged into {}", into.reference);
    change_status(
        tx,
        council,
        service,
        duplicate,
        &status,
        Some(Update {
            text: &note,
            published: true,
        }),
        by,
        at,
    )
    .await?;
    sql::query("UPDATE cases SET duplicate_of = $3 WHERE council_id = $1 AND case_id = $2")
        .bind(council.id.to_string())
        .bind(duplicate.id.to_string())
        .bind(into.id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from)?;
    duplicate.duplicate_of = Some(into.id);
    let reporter = match (duplicate.resident, &duplicate.contact) {
        (Some(id), contact) => contact
            .email
            .as_deref()
            .and_then(|e| townhall_types::EmailAddress::parse(e).ok())
            .map(|email| Requester::Resident {
                id,
                name: contact.name.clone().unwrap_or_default(),
                email,
            }),
        (None, contact) => Some(Requester::Guest {
            name: contact.name.clone(),
            email: contact
                .email
                .as_deref()
                .and_then(|e| townhall_types::EmailAddress::parse(e).ok()),
            phone: contact.phone.clone(),
        }),
    };
    if let Some(reporter) = reporter {
        crate::join(tx, templates, council, service, into, &reporter, at).await?;
    }
    Ok(())
}

/// Gives the case to a member of staff, or to nobody.
pub(crate) async fn assign(
    tx: &mut Tx,
    council: &Council,
    case: &mut Case,
    to: Option<(UserId, &str)>,
    by: &StaffActor,
    at: Timestamp,
) -> Result<(), CaseError> {
    sql::query(
        "UPDATE cases SET assignee_id = $3, updated_at = $4 WHERE council_id = $1 AND case_id = $2",
    )
    .bind(council.id.to_string())
    .bind(case.id.to_string())
    .bind(to.map(|(id, _)| id.to_string()))
    .bind(at.to_db())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from)?;
    case.assignee = to.map(|(id, _)| id);
    let note = match to {
        Some((_, name)) => format!("Assigned to {name}"),
        None => "Unassigned".to_owned(),
    };
    history::record(
        tx,
        council.id,
        case.id,
        &history::Event {
            kind: "assigned",
            status: None,
            note: Some(&note),
            audience: Audience::Staff,
            actor: &by.label,
            at,
        },
    )
    .await?;
    audit(
        tx,
        council,
        case,
        by,
        &["assignee"],
        "working on the request",
    )
    .await?;
    Ok(())
}

async fn touch(
    tx: &mut Tx,
    council: &Council,
    case: CaseId,
    at: Timestamp,
) -> Result<(), StoreError> {
    sql::query("UPDATE cases SET updated_at = $3 WHERE council_id = $1 AND case_id = $2")
        .bind(council.id.to_string())
        .bind(case.to_string())
        .bind(at.to_db())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
