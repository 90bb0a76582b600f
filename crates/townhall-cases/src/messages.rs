//! Telling people about their case: a subscriber to cases' own events.
//! When a case is made, or moves to a status that has a message, whoever
//! asked and everyone following the case is sent the status's message.
//!
//! The messages are written in the transaction that moves the subscriber's
//! checkpoint, so each is queued once, however often the process stops.

use std::collections::HashMap;
use std::sync::Arc;

use townhall_events::{Stored, Subscriber, SubscriberError};
use townhall_kernel::{Deployment, Job, Missing, Registry, Running};
use townhall_notify::{Outgoing, Templates};
use townhall_places::Council;
use townhall_services::{Catalogue, Service, Status};
use townhall_store::{sql, StoreError, Tx};
use townhall_types::{fill_placeholders, CaseId, CouncilId};

use crate::events::{CaseStatusChanged, CaseSubmitted};
use crate::model::Case;
use crate::CaseError;

/// The job that runs [`CaseMessages`] for the councils served, with the
/// deployment's [`Templates`].
pub(crate) const JOB: Job = Job {
    name: "case messages",
    start,
};

fn start(deployment: Arc<Deployment>) -> Result<Running, Missing> {
    let messages = CaseMessages::for_councils(
        deployment.settings.require_arc::<Templates>()?,
        &deployment.councils,
    )?;
    Ok(Box::pin(townhall_events::run(
        deployment.store.clone(),
        messages,
        townhall_events::IDLE,
    )))
}

/// The subscriber that sends the messages of cases' statuses, for the
/// councils this process serves.
pub struct CaseMessages {
    templates: Arc<Templates>,
    councils: HashMap<CouncilId, (Council, Arc<Catalogue>)>,
}

impl CaseMessages {
    /// Sends messages rendered with `templates`, for no council yet.
    pub fn new(templates: Arc<Templates>) -> Self {
        CaseMessages {
            templates,
            councils: HashMap::new(),
        }
    }

    /// Sends `council`'s messages too, from its `services`.
    pub fn serving(mut self, council: Council, services: Arc<Catalogue>) -> Self {
        self.councils.insert(council.id, (council, services));
        self
    }

    /// Sends the messages of each of `councils` (their settings: the
    /// council and its services).
    pub fn for_councils<'a>(
        templates: Arc<Templates>,
        councils: impl IntoIterator<Item = &'a Registry>,
    ) -> Result<Self, Missing> {
        councils
            .into_iter()
            .try_fold(Self::new(templates), |messages, settings| {
                Ok(messages.serving(
                    settings.require::<Council>()?.clone(),
                    settings.require_arc::<Catalogue>()?,
                ))
            })
    }

    async fn one(
        &self,
        tx: &mut Tx,
        (council, services): &(Council, Arc<Catalogue>),
        event: &Stored,
    ) -> Result<(), CaseError> {
        let (case, status, update) = if let Some(submitted) = event.read::<CaseSubmitted>() {
            let submitted = submitted?;
            (submitted.case, submitted.status, None)
        } else if let Some(changed) = event.read::<CaseStatusChanged>() {
            let changed = changed?;
            let update = update_for(tx, council.id, changed.case, &changed.to, event).await?;
            (changed.case, changed.to, update)
        } else {
            return Ok(());
        };
        let Some(case) = crate::work::load(tx, council, case).await? else {
            return Ok(());
        };
        // A service or status no longer configured has no message to send.
        let Some(service) = services.get(&case.service) else {
            return Ok(());
        };
        let Some(status) = service.workflow.status(&status) else {
            return Ok(());
        };
        status_message(
            tx,
            &self.templates,
            council,
            service,
            &case,
            status,
            update.as_deref(),
        )
        .await
    }
}

impl Subscriber for CaseMessages {
    const NAME: &'static str = "case-messages";

    fn wants(&self, council: CouncilId) -> bool {
        self.councils.contains_key(&council)
    }

    async fn handle(&self, tx: &mut Tx, events: &[Stored]) -> Result<(), SubscriberError> {
        for event in events {
            let Some(served) = self.councils.get(&event.council) else {
                continue;
            };
            match self.one(tx, served, event).await {
                Ok(()) => {}
                // The store may answer next time: the batch comes again.
                Err(CaseError::Store(e)) => return Err(SubscriberError::Store(e)),
                // A message that cannot be made now never can (an event
                // unreadable, a template that does not fit): it is left
                // out, loudly, rather than holding up the council's others.
                Err(other) => tracing::error!(
                    council = %event.council,
                    event = event.sequence,
                    error = %other,
                    "a case's message could not be made and is not sent"
                ),
            }
        }
        Ok(())
    }
}

/// What the reporter was told with the move to `status`: the update in
/// the case's history written with the event (the two share their time).
async fn update_for(
    tx: &mut Tx,
    council: CouncilId,
    case: CaseId,
    status: &str,
    event: &Stored,
) -> Result<Option<String>, StoreError> {
    let note: Option<(Option<String>,)> = sql::query_as(
        "SELECT note FROM case_events WHERE council_id = $1 AND case_id = $2 AND kind = 'status' \
         AND status = $3 AND created_at = $4 ORDER BY seq DESC LIMIT 1",
    )
    .bind(council.to_string())
    .bind(case.to_string())
    .bind(status)
    .bind(event.time.to_db())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(note.and_then(|(n,)| n))
}

/// Queues the status's message for whoever asked and everyone following the
/// case, if the status has one and they gave an email address.
async fn status_message(
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
