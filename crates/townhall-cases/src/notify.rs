//! Telling the resident when their case reaches a status that has a message.

use townhall_notify::Templates;
use townhall_places::Council;
use townhall_services::{Service, Status};
use townhall_store::Tx;
use townhall_types::fill_placeholders;

use crate::model::Case;
use crate::CaseError;

/// Queues the status's message for whoever asked and everyone following the
/// case, if the status has one and they gave an email address.
pub(crate) async fn status_message(
    tx: &mut Tx,
    templates: &Templates,
    council: &Council,
    service: &Service,
    case: &Case,
    status: &Status,
    update: Option<&str>,
) -> Result<(), CaseError> {
    let Some(message) = &status.message else {
        return Ok(());
    };
    let mut to: Vec<String> = case.contact.email.iter().cloned().collect();
    to.extend(crate::follow::emails(tx, council.id, case.id).await?);
    let mut missing = Vec::new();
    let text = fill_placeholders(
        message,
        &[
            ("reference", &case.reference),
            ("service", &service.name),
            ("status", &status.label),
            ("update", update.unwrap_or("")),
        ],
        &mut missing,
    );
    for email in &to {
        townhall_notify::enqueue(
            tx,
            templates,
            council.id,
            "case-update",
            email,
            &[
                ("council", &council.name),
                ("service", &service.name),
                ("status", &status.label),
                ("reference", &case.reference),
                ("message", text.trim()),
            ],
            Some(&case.reference),
        )
        .await?
        .map_err(|e| CaseError::Workflow(e.to_string()))?;
    }
    Ok(())
}
