//! Turning a checked submission into a case: eligibility, routing, reference,
//! deadline, first status, audit entry and the first message, in one transaction.

use std::collections::HashMap;
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_places::Council;
use townhall_services::eligibility::{self, Facts, Rule};
use townhall_services::routing::route;
use townhall_services::{Answer, Answers, FieldErrors, QuestionKind, Service};

use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CaseId, CouncilId, TeamId, Timestamp};

use crate::model::{Audience, Case, Channel, Requester, Submission};
use crate::{events, history, CaseError};

/// Why the submission would be refused now, against the fields concerned
/// (the whole request when the field is empty); empty when it is eligible.
/// Read from the store as it stands: [`submit_all`] asks again when the
/// case is made, holding the council's case counter.
pub(crate) async fn refusals(store: &Store, s: &Submission<'_>) -> Result<FieldErrors, StoreError> {
    let mut conn = store.reader().acquire().await?;
    refusals_among(&mut conn, s, &[]).await
}

/// [`refusals`], counting `earlier` submissions about to be made in the same
/// transaction as active cases too.
async fn refusals_among(
    conn: &mut sql::AnyConnection,
    s: &Submission<'_>,
    earlier: &[&Submission<'_>],
) -> Result<FieldErrors, StoreError> {
    let mut facts = Facts {
        signed_in: matches!(s.requester, Requester::Resident { .. }),
        whereabouts: s.location.as_ref().map(|l| l.whereabouts.clone()),
        already_active: Vec::new(),
    };
    for rule in &s.service.eligibility {
        if let Rule::OnePer { answer, .. } = rule {
            if let Some(value) = s.answers.get(answer) {
                let in_this_batch = earlier.iter().any(|e| {
                    e.council.id == s.council.id
                        && e.service.id == s.service.id
                        && e.answers.get(answer) == Some(value)
                });
                if in_this_batch || already_active(conn, s, answer, value).await? {
                    facts.already_active.push(answer.clone());
                }
            }
        }
    }
    let location_question = s.service.location_question().map(|q| q.id.as_str());
    let mut errors = FieldErrors::default();
    for (question, id) in photos(s) {
        let claimed_here = earlier
            .iter()
            .any(|e| e.council.id == s.council.id && photos(e).any(|(_, other)| other == id));
        if claimed_here || !crate::attachments::unclaimed(conn, s.council.id, id).await? {
            errors.push(question, "The photo could not be found. Upload it again");
        }
    }
    for (field, message) in eligibility::check(&s.service.eligibility, location_question, &facts) {
        errors.push(&field, message);
    }
    let in_this_batch = |question: &str, day: &Answer| {
        earlier
            .iter()
            .filter(|e| {
                e.council.id == s.council.id
                    && e.service.id == s.service.id
                    && e.answers.get(question) == Some(day)
            })
            .count()
    };
    if let Some(question) = full_day(
        &mut *conn,
        s.council.id,
        s.service,
        &s.answers,
        s.at,
        in_this_batch,
    )
    .await?
    {
        errors.push(question, DAY_FULL);
    }
    Ok(errors)
}

/// What a booking is told when its day has no place left.
pub const DAY_FULL: &str = "That day is now full or cannot be booked. Choose another day";

/// The slot question of `service` whose answer books a day with no place
/// left (or one that cannot be booked at all), read from `from`, counting
/// `earlier(question, day)` bookings about to be made in the same
/// transaction too.
pub(crate) async fn full_day<'s, 'e>(
    from: impl sql::Executor<'e, Database = sql::Any>,
    council: CouncilId,
    service: &'s Service,
    answers: &Answers,
    at: Timestamp,
    earlier: impl Fn(&str, &Answer) -> usize,
) -> Result<Option<&'s str>, StoreError> {
    let (Some(booking), Some(question)) = (
        &service.booking,
        service
            .questions
            .iter()
            .find(|q| q.kind == QuestionKind::Slot),
    ) else {
        return Ok(None);
    };
    let Some(slot @ Answer::Slot(day)) = answers.get(&question.id) else {
        return Ok(None);
    };
    let mut booked = crate::read::booked(from, council, &service.id, &question.id).await?;
    *booked.entry(*day).or_insert(0) +=
        u32::try_from(earlier(&question.id, slot)).unwrap_or(u32::MAX);
    let open = booking
        .available(at.datetime().date(), &booked)
        .iter()
        .any(|slot| slot.date == *day);
    Ok((!open).then_some(question.id.as_str()))
}

/// Holds `council`'s case counter until `tx` ends, so that its cases are
/// made one transaction at a time: what the checks count (a vehicle's
/// applications, a day's bookings) cannot change before the case is made.
pub(crate) async fn hold_counter(tx: &mut Tx, council: CouncilId) -> Result<(), StoreError> {
    sql::query(
        "INSERT INTO case_counters (council_id, last) VALUES ($1, 0) \
         ON CONFLICT (council_id) DO UPDATE SET last = case_counters.last",
    )
    .bind(council.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Makes the case, or says which answers make the request ineligible.
pub(crate) async fn submit(
    tx: &mut Tx,
    s: &Submission<'_>,
) -> Result<Result<Case, FieldErrors>, CaseError> {
    submit_all(tx, std::slice::from_ref(s))
        .await?
        .pop()
        .ok_or_else(|| CaseError::Workflow("no outcome for a submission".into()))
}

/// Makes the case of `s` in a transaction of its own: the case, or why it
/// was refused (nothing is then written).
pub async fn make(
    store: &Store,
    s: &Submission<'_>,
) -> Result<Result<Case, FieldErrors>, CaseError> {
    let mut tx = store.begin().await?;
    let made = make_in(&mut tx, s).await?;
    if made.is_ok() {
        tx.commit().await.map_err(StoreError::from)?;
    }
    Ok(made)
}

/// Makes the case of `s` in the caller's transaction, with its
/// `case.submitted` event (so the caller writes no event after it): the
/// case, or why it was refused (nothing is then written).
pub async fn make_in(
    tx: &mut Tx,
    s: &Submission<'_>,
) -> Result<Result<Case, FieldErrors>, CaseError> {
    let made = submit(tx, s).await?;
    if let Ok(case) = &made {
        let submitted = events::submitted(s.council.id, case, s.at)?;
        townhall_events::record(tx, &[submitted]).await?;
    }
    Ok(made)
}

/// Makes the case of each eligible submission, in order, or says which
/// answers make it ineligible. However many there are, each council's
/// references and audit entries are handed out at once and each table is
/// written in one statement.
pub(crate) async fn submit_all(
    tx: &mut Tx,
    submissions: &[Submission<'_>],
) -> Result<Vec<Result<Case, FieldErrors>>, CaseError> {
    let mut councils: Vec<CouncilId> = submissions.iter().map(|s| s.council.id).collect();
    councils.sort();
    councils.dedup();
    for council in councils {
        hold_counter(tx, council).await?;
    }
    let mut outcomes = Vec::with_capacity(submissions.len());
    let mut eligible: Vec<&Submission<'_>> = Vec::with_capacity(submissions.len());
    for s in submissions {
        let refusals = refusals_among(tx, s, &eligible).await?;
        if refusals.is_empty() {
            eligible.push(s);
            outcomes.push(None);
        } else {
            outcomes.push(Some(Err(refusals)));
        }
    }
    let mut teams: HashMap<(CouncilId, String), TeamId> = HashMap::new();
    let mut references = References::default();
    let mut cases = Vec::with_capacity(eligible.len());
    for s in &eligible {
        let routed = route(
            &s.service.routing,
            &s.answers,
            &s.location
                .as_ref()
                .map(|l| l.whereabouts.clone())
                .unwrap_or_default(),
        )
        .ok_or_else(|| CaseError::Unrouted(s.service.id.clone()))?;
        let team = match teams.get(&(s.council.id, routed.team.clone())) {
            Some(id) => *id,
            None => {
                let id = townhall_identity::staff::team_by_name(tx, s.council.id, &routed.team)
                    .await?
                    .ok_or_else(|| CaseError::UnknownTeam(routed.team.clone()))?
                    .id;
                teams.insert((s.council.id, routed.team.clone()), id);
                id
            }
        };
        references.want(s.council);
        cases.push(new_case(s, team, routed.reason)?);
    }
    references.reserve(tx).await?;
    for (case, s) in cases.iter_mut().zip(&eligible) {
        case.reference = references.next(s.council.id)?;
    }
    insert_all(tx, &cases, &eligible).await?;
    for (case, s) in cases.iter().zip(&eligible) {
        for (question, id) in photos(s) {
            if !crate::attachments::claim(tx, s.council.id, case.id, question, id).await? {
                return Err(CaseError::NotAllowed(
                    "a photo sent with this request was claimed by another".into(),
                ));
            }
        }
    }
    let labels: Vec<(Actor, String)> = eligible
        .iter()
        .map(|s| actor(&s.requester, &s.channel))
        .collect();
    let first_events: Vec<(CouncilId, CaseId, history::Event<'_>)> = cases
        .iter()
        .zip(&eligible)
        .zip(&labels)
        .map(|((case, s), (_, label))| {
            (
                s.council.id,
                case.id,
                history::Event {
                    kind: "created",
                    status: Some(&case.status),
                    note: None,
                    audience: Audience::Staff,
                    actor: label,
                    at: s.at,
                },
            )
        })
        .collect();
    history::record_first(tx, &first_events).await?;
    let audit: Vec<AuditEvent> = cases
        .iter()
        .zip(&eligible)
        .zip(labels)
        .map(|((case, s), (actor, label))| {
            AuditEvent::new(
                s.council.id,
                (actor, &label),
                Action::Create,
                RecordRef::Case(case.id),
            )
            .on_behalf_of(match s.channel {
                Channel::Assisted { .. } => case.resident,
                _ => None,
            })
            .about(case.resident)
            .fields(recorded_fields(case))
            .purpose(format!("providing the service: {}", s.service.name))
        })
        .collect();
    townhall_audit::append_all(tx, &audit).await?;
    let mut cases = cases.into_iter();
    Ok(outcomes
        .into_iter()
        .filter_map(|outcome| outcome.or_else(|| cases.next().map(Ok)))
        .collect())
}

/// The case a submission makes, before its reference is known.
fn new_case(s: &Submission<'_>, team: TeamId, route_reason: String) -> Result<Case, CaseError> {
    let initial = s
        .service
        .workflow
        .initial()
        .ok_or_else(|| CaseError::Workflow(format!("{} has no statuses", s.service.id)))?;
    let due = Timestamp::from_datetime(s.service.deadline.due(s.at.datetime()));
    let (resident, contact_name, contact_email, contact_phone) = match &s.requester {
        Requester::Resident { id, name, email } => {
            (Some(*id), Some(name.clone()), Some(email.to_string()), None)
        }
        Requester::Guest { name, email, phone } => (
            None,
            name.clone(),
            email.as_ref().map(ToString::to_string),
            phone.clone(),
        ),
    };
    let submitted_by = match &s.channel {
        Channel::Assisted { staff, .. } => Some(*staff),
        _ => None,
    };
    Ok(Case {
        id: CaseId::new(),
        reference: String::new(),
        service: s.service.id.clone(),
        status: initial.id.clone(),
        closed: initial.closed,
        resident,
        contact: crate::Contact {
            name: contact_name,
            email: contact_email,
            phone: contact_phone,
        },
        answers: s.answers.clone(),
        location: s.location.as_ref().map(|l| crate::CaseLocation {
            uprn: l.uprn.clone(),
            address: l.address.clone(),
            latitude: l.latitude,
            longitude: l.longitude,
            ward: l.whereabouts.ward.as_ref().map(|w| w.code.clone()),
            parish: l.whereabouts.parish.as_ref().map(|p| p.code.clone()),
        }),
        team,
        route_reason,
        assignee: None,
        channel: s.channel.as_str().to_owned(),
        submitted_by,
        duplicate_of: None,
        created_at: s.at,
        updated_at: s.at,
        due_at: due,
    })
}

/// The photo answers: question and attachment id.
fn photos<'s>(s: &'s Submission<'_>) -> impl Iterator<Item = (&'s str, &'s str)> {
    s.answers.iter().filter_map(|(q, a)| match a {
        Answer::Photo(id) => Some((q.as_str(), id.as_str())),
        _ => None,
    })
}

fn actor(requester: &Requester, channel: &Channel) -> (Actor, String) {
    match (channel, requester) {
        (Channel::Assisted { staff, label }, _) => (Actor::Staff(staff.to_string()), label.clone()),
        (Channel::Open311 { client }, _) => (
            Actor::Partner(client.clone()),
            format!("{client} (Open311)"),
        ),
        (Channel::Sensor { device }, _) => (
            Actor::System(format!("sensor {device}")),
            format!("Sensor {device}"),
        ),
        (Channel::Online, Requester::Resident { id, name, .. }) => {
            (Actor::Resident(id.to_string()), name.clone())
        }
        (Channel::Online, Requester::Guest { .. }) => (
            Actor::System("online form".into()),
            "Online form (no account)".into(),
        ),
    }
}

/// The personal and case fields a new case stores, for the audit entry.
fn recorded_fields(case: &Case) -> Vec<String> {
    let contact = [
        ("contact_name", case.contact.name.is_some()),
        ("contact_email", case.contact.email.is_some()),
        ("contact_phone", case.contact.phone.is_some()),
        ("location", case.location.is_some()),
    ];
    contact
        .iter()
        .filter(|(_, present)| *present)
        .map(|(f, _)| (*f).to_owned())
        .chain(case.answers.keys().map(|k| format!("answers.{k}")))
        .collect()
}

/// Writes the new cases in one statement.
async fn insert_all(
    tx: &mut Tx,
    cases: &[Case],
    submissions: &[&Submission<'_>],
) -> Result<(), CaseError> {
    if cases.is_empty() {
        return Ok(());
    }
    let text = format!(
        "INSERT INTO cases (council_id, case_id, reference, service_id, status, closed, resident_id, \
         contact_name, contact_email, contact_phone, answers, uprn, address, latitude, longitude, \
         ward_code, parish_code, team_id, route_reason, assignee_id, channel, submitted_by, duplicate_of, \
         created_at, updated_at, due_at) VALUES {}",
        townhall_store::placeholders(cases.len(), 26)
    );
    let mut query = sql::query(&text);
    for (c, s) in cases.iter().zip(submissions) {
        let answers =
            serde_json::to_string(&c.answers).map_err(|e| CaseError::Workflow(e.to_string()))?;
        let loc = c.location.as_ref();
        query = query
            .bind(s.council.id.to_string())
            .bind(c.id.to_string())
            .bind(c.reference.clone())
            .bind(c.service.clone())
            .bind(c.status.clone())
            .bind(i64::from(c.closed))
            .bind(c.resident.map(|r| r.to_string()))
            .bind(c.contact.name.clone())
            .bind(c.contact.email.clone())
            .bind(c.contact.phone.clone())
            .bind(answers)
            .bind(loc.and_then(|l| l.uprn.clone()))
            .bind(loc.and_then(|l| l.address.clone()))
            .bind(loc.map(|l| l.latitude))
            .bind(loc.map(|l| l.longitude))
            .bind(loc.and_then(|l| l.ward.clone()))
            .bind(loc.and_then(|l| l.parish.clone()))
            .bind(c.team.to_string())
            .bind(c.route_reason.clone())
            .bind(None::<String>)
            .bind(c.channel.clone())
            .bind(c.submitted_by.map(|s| s.to_string()))
            .bind(None::<String>)
            .bind(c.created_at.to_db())
            .bind(c.updated_at.to_db())
            .bind(c.due_at.to_db());
    }
    query.execute(&mut **tx).await.map_err(StoreError::from)?;
    Ok(())
}

/// The references of one transaction's new cases, e.g. `RIV-000042`: a counter
/// per council, moved once per council in the transaction (one statement, so
/// two first cases at once cannot both create it), so references are never
/// reused or skipped.
#[derive(Default)]
struct References {
    /// Per council: its prefix, how many are wanted, and the next to give.
    councils: Vec<(CouncilId, String, i64, i64)>,
}

impl References {
    /// Asks for one more reference for `council`.
    fn want(&mut self, council: &Council) {
        match self.councils.iter_mut().find(|(id, ..)| *id == council.id) {
            Some((_, _, wanted, _)) => *wanted += 1,
            None => {
                let prefix: String = council
                    .slug
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .take(3)
                    .collect::<String>()
                    .to_ascii_uppercase();
                self.councils.push((council.id, prefix, 1, 0));
            }
        }
    }

    /// Moves each council's counter on by what was wanted.
    async fn reserve(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        for (council, _, wanted, next) in &mut self.councils {
            let (last,): (i64,) = sql::query_as(
                "INSERT INTO case_counters (council_id, last) VALUES ($1, $2) \
                 ON CONFLICT (council_id) DO UPDATE SET last = case_counters.last + $2 RETURNING last",
            )
            .bind(council.to_string())
            .bind(*wanted)
            .fetch_one(&mut **tx)
            .await?;
            *next = last - *wanted + 1;
        }
        Ok(())
    }

    /// The next reserved reference of `council`.
    fn next(&mut self, council: CouncilId) -> Result<String, CaseError> {
        let (_, prefix, _, next) = self
            .councils
            .iter_mut()
            .find(|(id, ..)| *id == council)
            .ok_or_else(|| CaseError::Workflow("no reference was reserved".into()))?;
        *next += 1;
        Ok(format!("{prefix}-{:06}", *next - 1))
    }
}

/// Whether another open case of this service, or a valid permit from one,
/// has the same answer to `question`.
async fn already_active(
    conn: &mut sql::AnyConnection,
    s: &Submission<'_>,
    question: &str,
    value: &Answer,
) -> Result<bool, StoreError> {
    let rows: Vec<(String,)> = sql::query_as(
        "SELECT c.answers FROM cases c LEFT JOIN permits p \
         ON p.council_id = c.council_id AND p.case_id = c.case_id \
         WHERE c.council_id = $1 AND c.service_id = $2 AND (c.closed = 0 OR p.valid_until > $3)",
    )
    .bind(s.council.id.to_string())
    .bind(&s.service.id)
    .bind(s.at.to_db())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().any(|(answers,)| {
        serde_json::from_str::<Answers>(answers)
            .ok()
            .and_then(|a| a.get(question).cloned())
            .is_some_and(|a| a == *value)
    }))
}
