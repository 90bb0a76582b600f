//! "Is this the same problem?": instead of a duplicate report, people join the
//! open case and hear of its progress as the first reporter does.

use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_notify::Templates;
use townhall_places::Council;
use townhall_services::Service;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CaseId, CouncilId, Timestamp};

use crate::model::{Audience, Case, Requester};
use crate::{history, CaseError};

/// A report of a problem already reported: `who` joins `case` ([`join`]) in
/// a transaction of its own.
pub async fn join_report(
    store: &Store,
    templates: &Templates,
    council: &Council,
    service: &Service,
    case: &Case,
    who: &Requester,
    at: Timestamp,
) -> Result<(), CaseError> {
    let mut tx = store.begin().await?;
    join(&mut tx, templates, council, service, case, who, at).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Adds `who` to `case`'s followers, notes it in the history and the audit log,
/// and sends them the case's reference and status. Joining twice changes nothing.
pub async fn join(
    tx: &mut Tx,
    templates: &Templates,
    council: &Council,
    service: &Service,
    case: &Case,
    who: &Requester,
    at: Timestamp,
) -> Result<(), CaseError> {
    let (key, resident, name, email, actor) = match who {
        Requester::Resident { id, name, email } => (
            format!("resident:{id}"),
            Some(id.to_string()),
            Some(name.clone()),
            Some(email.to_string()),
            Actor::Resident(id.to_string()),
        ),
        Requester::Guest { name, email, .. } => (
            format!(
                "guest:{}",
                email
                    .as_ref()
                    .map_or_else(|| CaseId::new().to_string(), ToString::to_string)
            ),
            None,
            name.clone(),
            email.as_ref().map(ToString::to_string),
            Actor::System("online form".into()),
        ),
    };
    if resident.is_some() && case.resident.map(|r| r.to_string()) == resident {
        return Ok(());
    }
    let added = sql::query(
        "INSERT INTO case_followers (council_id, case_id, follower, resident_id, name, email, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM case_followers \
         WHERE council_id = $1 AND case_id = $2 AND follower = $3)",
    )
    .bind(council.id.to_string())
    .bind(case.id.to_string())
    .bind(&key)
    .bind(&resident)
    .bind(&name)
    .bind(&email)
    .bind(at.to_db())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from)?
    .rows_affected();
    if added == 0 {
        return Ok(());
    }
    let label = name
        .clone()
        .unwrap_or_else(|| "Someone without an account".to_owned());
    let note = "Also reported by another person, who now follows this case";
    history::record(
        tx,
        council.id,
        case.id,
        &history::Event {
            kind: "joined",
            status: None,
            note: Some(note),
            audience: Audience::Staff,
            actor: &label,
            at,
        },
    )
    .await?;
    townhall_audit::append(
        tx,
        &AuditEvent::new(
            council.id,
            (actor, &label),
            Action::Create,
            RecordRef::Case(case.id),
        )
        .about(resident.as_ref())
        .fields(["follower_name", "follower_email"])
        .purpose(format!("following a report: {}", service.name)),
    )
    .await?;
    if let Some(email) = &email {
        let status = service
            .workflow
            .status(&case.status)
            .map_or(case.status.as_str(), |s| s.label.as_str());
        townhall_notify::enqueue(
            tx,
            templates,
            council.id,
            "case-joined",
            email,
            &[
                ("council", &council.name),
                ("service", &service.name),
                ("status", status),
                ("reference", &case.reference),
            ],
            Some(&case.reference),
        )
        .await?
        .map_err(|e| CaseError::Workflow(e.to_string()))?;
    }
    Ok(())
}

/// The email addresses of a case's followers.
pub(crate) async fn emails(
    tx: &mut Tx,
    council: CouncilId,
    case: CaseId,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sql::query_as(
        "SELECT email FROM case_followers WHERE council_id = $1 AND case_id = $2 \
         AND email IS NOT NULL ORDER BY created_at",
    )
    .bind(council.to_string())
    .bind(case.to_string())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(email,)| email).collect())
}
