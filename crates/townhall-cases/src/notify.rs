//! Telling the resident when their case reaches a status that has a message.

use townhall_notify::{Outgoing, Templates};
use townhall_places::Council;
use townhall_services::{Service, Status};
use townhall_store::Tx;
use townhall_types::fill_placeholders;

use crate::model::{Case, Submission};
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
    let text = message_text(message, service, case, status, update);
    let values = values(council, service, case, status, &text);
    let values = borrowed(&values);
    let messages: Vec<Outgoing<'_>> = to
        .iter()
        .map(|email| outgoing(council, case, email, &values))
        .collect();
    townhall_notify::enqueue_all(tx, templates, &messages)
        .await?
        .map_err(|e| CaseError::Workflow(e.to_string()))?;
    Ok(())
}

/// Queues the first status's message of each new case for whoever asked (a
/// case just made has nobody following it yet), in one statement.
pub(crate) async fn first_messages(
    tx: &mut Tx,
    templates: &Templates,
    made: &[(&Submission<'_>, &Case)],
) -> Result<(), CaseError> {
    let mut texts = Vec::new();
    for (s, case) in made {
        let Some(status) = s.service.workflow.initial() else {
            continue;
        };
        if let (Some(message), Some(email)) = (&status.message, &case.contact.email) {
            let text = message_text(message, s.service, case, status, None);
            texts.push((
                s,
                case,
                email,
                values(s.council, s.service, case, status, &text),
            ));
        }
    }
    let values: Vec<[(&str, &str); 5]> = texts.iter().map(|(.., v)| borrowed(v)).collect();
    let messages: Vec<Outgoing<'_>> = texts
        .iter()
        .zip(&values)
        .map(|((s, case, email, _), values)| outgoing(s.council, case, email, values))
        .collect();
    townhall_notify::enqueue_all(tx, templates, &messages)
        .await?
        .map_err(|e| CaseError::Workflow(e.to_string()))?;
    Ok(())
}

/// The status's message with the case's details filled in.
fn message_text(
    message: &str,
    service: &Service,
    case: &Case,
    status: &Status,
    update: Option<&str>,
) -> String {
    let mut missing = Vec::new();
    fill_placeholders(
        message,
        &[
            ("reference", &case.reference),
            ("service", &service.name),
            ("status", &status.label),
            ("update", update.unwrap_or("")),
        ],
        &mut missing,
    )
}

/// The `case-update` template's values.
fn values(
    council: &Council,
    service: &Service,
    case: &Case,
    status: &Status,
    text: &str,
) -> [(&'static str, String); 5] {
    [
        ("council", council.name.clone()),
        ("service", service.name.clone()),
        ("status", status.label.clone()),
        ("reference", case.reference.clone()),
        ("message", text.trim().to_owned()),
    ]
}

fn borrowed<'a>(values: &'a [(&'static str, String); 5]) -> [(&'static str, &'a str); 5] {
    values
        .each_ref()
        .map(|(name, value)| (*name, value.as_str()))
}

fn outgoing<'a>(
    council: &Council,
    case: &'a Case,
    email: &'a str,
    values: &'a [(&'a str, &'a str)],
) -> Outgoing<'a> {
    Outgoing {
        council: council.id,
        template_id: "case-update",
        recipient: email,
        values,
        reference: Some(&case.reference),
    }
}
