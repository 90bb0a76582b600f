//! Paid requests. A request to a service with a fee waits in its payment,
//! as a [`Draft`], while its payer pays. Once the provider says the money is
//! taken the request is checked again ([`prepare`]: a day may have filled
//! up meanwhile) and made into a case, the payment settled in the same
//! transaction; refused, it makes nothing and the payment is due a refund.
//!
//! Whoever comes first finishes it: the payer coming back from the
//! provider, or [`finish_unfinished`], which the server runs for payers who
//! never come back. Either way the case is made once: the transaction that
//! makes it holds the council's case counter and checks the payment first.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use townhall_kernel::{Deployment, Job, Missing, Registry, Running};
use townhall_payments::Payments;
use townhall_payments::{Payment, Provider, Status};
use townhall_places::{Boundaries, Council};
use townhall_services::{Catalogue, FieldErrors, FormInput};
use townhall_store::{Store, StoreError};
use townhall_types::{CaseId, PaymentId, Timestamp};

use crate::application::{prepare, Application};
use crate::model::{Case, Channel, Requester, Submission};
use crate::submit::{hold_counter, submit};
use crate::{events, CaseError, NotPlaced};

/// How long a payment may sit unfinished before the server finishes it
/// without its payer: long enough for anyone still on the provider's pages
/// or on their way back.
pub const PAYER_AWAY: time::Duration = time::Duration::minutes(10);

/// A request waiting in its payment: the answers as typed, and who asked and
/// how, so that it can be made with or without its payer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The answers as the form sent them.
    pub input: FormInput,
    /// Who asked.
    pub requester: Requester,
    /// How.
    pub channel: Channel,
}

/// Where a council takes payment for its services.
#[derive(Clone, Copy)]
pub struct Till<'a> {
    /// The council.
    pub council: &'a Council,
    /// Its area, where a request's place must still lie.
    pub boundaries: &'a Boundaries,
    /// Its services.
    pub services: &'a Catalogue,
    /// Who takes the money.
    pub provider: &'a dyn Provider,
    /// Its collection rounds, if it keeps them here.
    pub collections: Option<&'a townhall_waste::Collections>,
}

impl<'a> Till<'a> {
    /// The till of a council, from its settings.
    pub fn of(settings: &'a Registry) -> Result<Self, Missing> {
        Ok(Till {
            council: settings.require()?,
            boundaries: settings.require()?,
            services: settings.require()?,
            provider: settings.require::<Payments>()?.0.as_ref(),
            collections: settings.get(),
        })
    }
}

/// How a payment's request ended, as far as it has.
#[derive(Debug)]
pub enum Settled {
    /// Paid: the case was made now.
    Made {
        /// The case.
        case: Box<Case>,
        /// Who asked.
        requester: Requester,
        /// How.
        channel: Channel,
    },
    /// Paid: the case was made before.
    MadeBefore(CaseId),
    /// Paid, but the request is refused now, for these reasons: the payment
    /// is due a refund.
    Refused(FieldErrors),
    /// Paid, and refused before: the payment is due a refund.
    RefundDue,
    /// Not paid: still waiting for the payer, or failed or cancelled.
    NotPaid(Status),
}

/// Starts the payment `submission`, read from `input`, waits in: the
/// address to send the payer to, who comes back to `return_url(payment)`.
pub async fn pay_for(
    store: &Store,
    till: &Till<'_>,
    submission: &Submission<'_>,
    input: &FormInput,
    return_url: impl FnOnce(PaymentId) -> Result<url::Url, url::ParseError>,
) -> Result<url::Url, CaseError> {
    let service = submission.service;
    let fee = service
        .fee
        .as_ref()
        .ok_or_else(|| CaseError::Workflow(format!("service {} has no fee", service.id)))?;
    let draft = Draft {
        input: input.clone(),
        requester: submission.requester.clone(),
        channel: submission.channel.clone(),
    };
    // Only whoever started it may carry on with it: the member of staff
    // helping, the resident signed in, or, for a guest, whoever holds its
    // unguessable address.
    let payer = match (&draft.channel, &draft.requester) {
        (Channel::Assisted { staff, .. }, _) => Some(*staff),
        (_, Requester::Resident { id, .. }) => Some(*id),
        (_, Requester::Guest { .. }) => None,
    };
    let draft = serde_json::to_string(&draft)
        .map_err(|e| CaseError::Workflow(format!("payment draft: {e}")))?;
    let payment = townhall_payments::create(
        store,
        till.council.id,
        &service.id,
        fee.amount_pence,
        &fee.description,
        till.provider.name(),
        payer,
        &draft,
    )
    .await?;
    let back = return_url(payment.id).map_err(|e| CaseError::Workflow(e.to_string()))?;
    Ok(till.provider.start(&payment, &back).await?)
}

/// Finishes `payment` as far as its provider allows: makes its case if it is
/// paid, or records how it ended.
pub async fn settle(
    store: &Store,
    till: &Till<'_>,
    payment: &Payment,
) -> Result<Settled, CaseError> {
    if let Some(case) = payment.case {
        return Ok(Settled::MadeBefore(case));
    }
    match till.provider.outcome(store, payment).await? {
        Status::Success => make_paid(store, till, payment).await,
        Status::RefundDue => Ok(Settled::RefundDue),
        Status::Created => Ok(Settled::NotPaid(Status::Created)),
        ended => {
            townhall_payments::close(store, till.council.id, payment.id, ended).await?;
            Ok(Settled::NotPaid(ended))
        }
    }
}

/// How often the job looks for payments left unfinished.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The job that finishes, every [`CHECK_EVERY`], the payments of the
/// councils served that their payers left unfinished.
pub(crate) const JOB: Job = Job {
    name: "unfinished payments",
    start,
};

fn start(deployment: Arc<Deployment>) -> Result<Running, Missing> {
    for settings in &deployment.councils {
        Till::of(settings)?;
    }
    Ok(Box::pin(async move {
        loop {
            finish_all(&deployment.store, &deployment.councils, Timestamp::now()).await;
            tokio::time::sleep(CHECK_EVERY).await;
        }
    }))
}

/// Finishes, for each council of `councils` (their settings), the payments
/// left unfinished for [`PAYER_AWAY`] before `now`; what was done, summed.
/// A council whose payments cannot be read is logged and the others carry on.
pub async fn finish_all<'a>(
    store: &Store,
    councils: impl IntoIterator<Item = &'a Registry>,
    now: Timestamp,
) -> Finished {
    let mut all = Finished::default();
    for settings in councils {
        let till = match Till::of(settings) {
            Ok(till) => till,
            Err(e) => {
                tracing::warn!(error = %e, "a council's payments cannot be finished");
                continue;
            }
        };
        let done = match finish_unfinished(store, &till, now).await {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(council = %till.council.slug, error = %e, "unfinished payments could not be read");
                continue;
            }
        };
        if done != Finished::default() {
            tracing::info!(
                council = %till.council.slug,
                made = done.made,
                refused = done.refused,
                ended = done.ended,
                failed = done.failed,
                "finished payments left unfinished"
            );
        }
        all.made += done.made;
        all.refused += done.refused;
        all.ended += done.ended;
        all.failed += done.failed;
    }
    all
}

/// What [`finish_unfinished`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Finished {
    /// Cases made.
    pub made: usize,
    /// Requests refused, their payments due a refund.
    pub refused: usize,
    /// Payments recorded as failed or cancelled.
    pub ended: usize,
    /// Payments that could not be finished now (logged), tried again later.
    pub failed: usize,
}

/// Finishes every payment of the till's council left unfinished for
/// [`PAYER_AWAY`] before `now`: a paid request whose payer never came back
/// is made (or refunded), a payment its provider says ended is closed.
pub async fn finish_unfinished(
    store: &Store,
    till: &Till<'_>,
    now: Timestamp,
) -> Result<Finished, StoreError> {
    let waiting =
        townhall_payments::unfinished(store, till.council.id, now.plus(-PAYER_AWAY)).await?;
    let mut finished = Finished::default();
    for payment in &waiting {
        match settle(store, till, payment).await {
            Ok(Settled::Made { .. }) => finished.made += 1,
            Ok(Settled::Refused(_)) => finished.refused += 1,
            Ok(Settled::NotPaid(Status::Created)) => {}
            Ok(Settled::NotPaid(_)) => finished.ended += 1,
            Ok(Settled::MadeBefore(_) | Settled::RefundDue) => {}
            Err(e) => {
                tracing::warn!(
                    council = %till.council.slug,
                    payment = %payment.id,
                    error = %e,
                    "an unfinished payment could not be finished; trying again later"
                );
                finished.failed += 1;
            }
        }
    }
    Ok(finished)
}

/// The request of a paid `payment` checked again, as of now.
async fn checked<'a>(
    store: &Store,
    till: &Till<'a>,
    payment: &Payment,
    draft: &'a Result<Draft, FieldErrors>,
) -> Result<Result<Submission<'a>, FieldErrors>, StoreError> {
    let draft = match draft {
        Ok(draft) => draft,
        Err(unreadable) => return Ok(Err(unreadable.clone())),
    };
    let Some(service) = till.services.get(&payment.service) else {
        return Ok(Err(whole("This service is no longer offered")));
    };
    let application = Application {
        council: till.council,
        boundaries: till.boundaries,
        service,
        collections: till.collections,
        input: &draft.input,
        at: Timestamp::now(),
    };
    Ok(prepare(
        store,
        application,
        draft.requester.clone(),
        draft.channel.clone(),
    )
    .await?
    .map_err(|refused| {
        refused.into_fields(|why| {
            match why {
                NotPlaced::UnknownAddress => "The address is no longer in the council's gazetteer",
                NotPlaced::OutsideArea { .. } => "The place is outside the council's area",
            }
            .to_owned()
        })
    }))
}

/// A refusal of the whole request.
fn whole(message: &str) -> FieldErrors {
    let mut refused = FieldErrors::default();
    refused.push("", message);
    refused
}

/// Makes the case of a paid payment, or, refused, marks it due a refund.
async fn make_paid(
    store: &Store,
    till: &Till<'_>,
    payment: &Payment,
) -> Result<Settled, CaseError> {
    let council = till.council.id;
    let draft = serde_json::from_str::<Draft>(&payment.draft)
        .map_err(|_| whole("The request could not be read again"));
    let checked = checked(store, till, payment, &draft).await?;
    let mut tx = store.begin().await?;
    // Every case of the council, and so this payment's, is made one
    // transaction at a time from here: whoever got here first made it.
    hold_counter(&mut tx, council).await?;
    let now = townhall_payments::read(&mut tx, council, payment.id)
        .await?
        .ok_or(CaseError::NotFound)?;
    match (now.case, now.status) {
        (Some(case), _) => return Ok(Settled::MadeBefore(case)),
        (None, Status::Created | Status::Success) => {}
        (None, Status::RefundDue) => return Ok(Settled::RefundDue),
        (None, ended) => return Ok(Settled::NotPaid(ended)),
    }
    let refused = match &checked {
        Ok(s) => match submit(&mut tx, s).await? {
            Ok(case) => {
                let settled = townhall_payments::settle(
                    &mut tx,
                    council,
                    payment.id,
                    Status::Success,
                    Some(case.id),
                )
                .await?;
                let submitted = events::submitted(council, &case, s.at)?;
                let told: Vec<_> = std::iter::once(submitted).chain(settled).collect();
                townhall_events::record(&mut tx, &told).await?;
                tx.commit().await.map_err(StoreError::from)?;
                return Ok(Settled::Made {
                    case: Box::new(case),
                    requester: s.requester.clone(),
                    channel: s.channel.clone(),
                });
            }
            Err(refused) => refused,
        },
        Err(refused) => refused.clone(),
    };
    if now.status == Status::Created {
        // The provider took the money; the store hears it now.
        townhall_payments::settle(&mut tx, council, payment.id, Status::Success, None).await?;
    }
    let told =
        townhall_payments::settle(&mut tx, council, payment.id, Status::RefundDue, None).await?;
    townhall_events::record(&mut tx, told.as_slice()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Settled::Refused(refused))
}
