//! Intake: the command that makes a case from a request that arrives by
//! itself (Open311 today), committed together with the others arriving at the
//! same moment (group commit, see [`townhall_store::Batcher`]).
//!
//! Everything [`submit`](crate::submit) does is done for each request, and
//! the request is answered only once its case is durable. A client's
//! `Idempotency-Key` is remembered in the same transaction as the case it made.

use townhall_places::Council;
use townhall_services::{Answers, FieldErrors, Service};
use townhall_store::{Batch, Batcher, Store, StoreError, Tx};
use townhall_types::Timestamp;

use crate::model::{Case, Channel, Location, Requester};
use crate::submit::submit_all;
use crate::{idempotency, CaseError, Submission};

/// The queue that makes cases from requests. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Intake(Batcher<Cases>);

impl Intake {
    /// Makes cases in `store`.
    pub fn new(store: &Store) -> Self {
        Self(Batcher::new(store, Cases))
    }

    /// Makes the request's case, answering once it is committed.
    pub async fn submit(&self, request: Request) -> Result<Case, IntakeError> {
        self.0.run(request).await
    }
}

/// A request for a case, owning what it needs so that the writer can make it
/// whenever its turn comes.
#[derive(Debug, Clone)]
pub struct Request {
    /// The council.
    pub council: Council,
    /// The service.
    pub service: Service,
    /// The checked answers.
    pub answers: Answers,
    /// The location, found from the answers' location question.
    pub location: Option<Location>,
    /// Who is asking.
    pub requester: Requester,
    /// How it arrived.
    pub channel: Channel,
    /// When.
    pub at: Timestamp,
    /// The client's key for retrying this request safely, if it gave one.
    pub retry: Option<Retry>,
}

impl Request {
    /// The request for `submission`, as [`prepare`](crate::prepare) read
    /// it, retried safely under `retry`.
    pub fn of(submission: &Submission<'_>, retry: Option<Retry>) -> Self {
        Request {
            council: submission.council.clone(),
            service: submission.service.clone(),
            answers: submission.answers.clone(),
            location: submission.location.clone(),
            requester: submission.requester.clone(),
            channel: submission.channel.clone(),
            at: submission.at,
            retry,
        }
    }
}

/// A client's promise that requests with the same key are one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// The client (its API key's id).
    pub client: String,
    /// The client's `Idempotency-Key`.
    pub key: String,
    /// A digest of what was asked, to tell a retry from a different request.
    pub fingerprint: String,
}

/// Why no case was made.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The answers make the request ineligible, against the fields concerned.
    #[error("the request is not eligible")]
    Refused(FieldErrors),
    /// Another request with the same idempotency key made its case first;
    /// [`idempotency::recall`] finds it.
    #[error("a request with this idempotency key was made at the same time")]
    Repeated,
    /// The case could not be made.
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl From<StoreError> for IntakeError {
    fn from(e: StoreError) -> Self {
        IntakeError::Case(CaseError::Store(e))
    }
}

/// Making the cases of the requests that arrived together.
#[derive(Debug)]
struct Cases;

impl Batch for Cases {
    type Item = Request;
    type Output = Case;
    type Error = IntakeError;

    async fn run(
        &self,
        tx: &mut Tx,
        requests: &[Request],
    ) -> Result<Vec<Result<Case, IntakeError>>, IntakeError> {
        // A key used twice in one batch: the first makes the case.
        let repeated: Vec<bool> = requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.retry.as_ref().is_some_and(|retry| {
                    requests[..i].iter().any(|earlier| {
                        earlier.retry.as_ref().is_some_and(|e| {
                            e.client == retry.client
                                && e.key == retry.key
                                && earlier.council.id == r.council.id
                        })
                    })
                })
            })
            .collect();
        let submissions: Vec<Submission<'_>> = requests
            .iter()
            .zip(&repeated)
            .filter(|(_, repeated)| !**repeated)
            .map(|(r, _)| Submission {
                council: &r.council,
                service: &r.service,
                answers: r.answers.clone(),
                location: r.location.clone(),
                requester: r.requester.clone(),
                channel: r.channel.clone(),
                at: r.at,
            })
            .collect();
        let mut made = submit_all(tx, &submissions).await?.into_iter();
        let mut answers = Vec::with_capacity(requests.len());
        for (r, repeated) in requests.iter().zip(repeated) {
            if repeated {
                answers.push(Err(IntakeError::Repeated));
                continue;
            }
            let outcome = made
                .next()
                .ok_or_else(|| CaseError::Workflow("no outcome for a request".into()))?;
            let case = match outcome {
                Ok(case) => case,
                Err(refusals) => {
                    answers.push(Err(IntakeError::Refused(refusals)));
                    continue;
                }
            };
            if let Some(retry) = &r.retry {
                let first = idempotency::remember(
                    tx,
                    r.council.id,
                    &retry.client,
                    &retry.key,
                    &retry.fingerprint,
                    (case.id, &case.reference),
                    r.at,
                )
                .await?;
                if !first {
                    // Made meanwhile by a request outside this batch: this
                    // request's case must not stand, so the batch fails and
                    // each request is made again alone.
                    return Err(IntakeError::Repeated);
                }
            }
            answers.push(Ok(case));
        }
        let submitted = requests
            .iter()
            .zip(&answers)
            .filter_map(|(r, answer)| answer.as_ref().ok().map(|case| (r, case)))
            .map(|(r, case)| crate::events::submitted(r.council.id, case, r.at))
            .collect::<Result<Vec<_>, _>>()?;
        townhall_events::record(tx, &submitted).await?;
        Ok(answers)
    }
}
