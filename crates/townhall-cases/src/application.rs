//! Reading a request into a [`Submission`]: the one set of checks every
//! channel runs before a case is made, whether the request came from the
//! council's pages, an Open311 client or a payment that settled while its
//! payer was away.
//!
//! The answers are checked against the service's questions, the place is
//! found in the gazetteer or the council's area, a booked day must still
//! have room, a missed collection must have been due and be reported in
//! time, and the service's eligibility rules are asked, all from the
//! store as it stands and without holding its writer. The case's own checks
//! ask again when it is made ([`make`](crate::make), [`Intake`](crate::Intake)).

use townhall_places::{Boundaries, Council};
use townhall_services::{check_answers, Answer, FieldErrors, FormInput, Service};
use townhall_store::{Store, StoreError};
use townhall_types::Timestamp;
use townhall_waste::Collections;

use crate::locate::{locate, NotPlaced};
use crate::model::{Channel, Requester, Submission};
use crate::submit::{full_day, refusals, DAY_FULL};

/// A request as its channel read it: the form's answers as typed, who is
/// asking and how.
#[derive(Debug, Clone, Copy)]
pub struct Application<'a, 'i> {
    /// The council asked.
    pub council: &'a Council,
    /// Its area, where a point must lie.
    pub boundaries: &'a Boundaries,
    /// The service asked for.
    pub service: &'a Service,
    /// The council's collection rounds, if it keeps them here: what a
    /// missed-collection report is checked against.
    pub collections: Option<&'a Collections>,
    /// The answers as typed, by field name.
    pub input: &'i FormInput,
    /// When.
    pub at: Timestamp,
}

/// Why an application is refused: the mistakes against their fields, in
/// the order of the service's questions, and, apart, a place that could not
/// be used (each channel says so in its own words).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refusals {
    /// Mistakes and ineligible answers, against their fields.
    pub fields: FieldErrors,
    /// The location question, and why its answer gives no place.
    pub place: Option<(String, NotPlaced)>,
}

impl Refusals {
    /// The refusals against their fields only, the place's put into words by
    /// `describe`.
    pub fn into_fields(self, describe: impl FnOnce(NotPlaced) -> String) -> FieldErrors {
        let mut fields = self.fields;
        if let Some((question, why)) = self.place {
            fields.push(&question, describe(why));
        }
        fields
    }
}

/// Checks `application`, made by `requester` through `channel`: the
/// submission ready to be made into a case, or every reason it cannot be.
pub async fn prepare<'a>(
    store: &Store,
    application: Application<'a, '_>,
    requester: Requester,
    channel: Channel,
) -> Result<Result<Submission<'a>, Refusals>, StoreError> {
    let Application {
        council,
        boundaries,
        service,
        collections,
        input,
        at,
    } = application;
    let mut refused = Refusals::default();
    let answers =
        check_answers(&service.questions, input, at.uk_date()).unwrap_or_else(|mistakes| {
            refused.fields = mistakes;
            Default::default()
        });
    if let Some(question) =
        full_day(store.reader(), council.id, service, &answers, at, |_, _| 0).await?
    {
        refused.fields.push(question, DAY_FULL);
    }
    let mut location = None;
    if let Some(q) = service.location_question() {
        if let Some(Answer::Location(place)) = answers.get(&q.id) {
            match locate(store, council.id, boundaries, place).await? {
                Ok(found) => location = Some(found),
                Err(why) => refused.place = Some((q.id.clone(), why)),
            }
        }
    }
    // A council that keeps no rounds here is not asked about them.
    let collections = collections.filter(|c| !c.rounds.is_empty());
    if let (Some(rule), Some(collections), Some(place)) =
        (&service.missed_collection, collections, &location)
    {
        let today = at.uk_date();
        let bin_label = match answers.get(&rule.container) {
            Some(Answer::Choice(value)) => service
                .question(&rule.container)
                .and_then(|q| q.choices.iter().find(|c| &c.value == value))
                .map(|c| c.label.as_str()),
            _ => None,
        };
        if let Some(why) = crate::missed::refusal(
            store,
            council.id,
            (rule, collections),
            bin_label,
            place,
            &answers,
            today,
        )
        .await?
        {
            refused.fields.push(&rule.day, why);
        }
    }
    if refused != Refusals::default() {
        return Ok(Err(refused));
    }
    let submission = Submission {
        council,
        service,
        answers,
        location,
        requester,
        channel,
        at,
    };
    let ineligible = refusals(store, &submission).await?;
    if !ineligible.is_empty() {
        return Ok(Err(Refusals {
            fields: ineligible,
            place: None,
        }));
    }
    Ok(Ok(submission))
}
