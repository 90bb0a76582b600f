//! Using a service: the questions, "check your answers", and the submission that
//! becomes a case. Works without JavaScript: finding an address by postcode is a
//! button that sends the form back with the addresses listed, answers kept.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use townhall_audit::Actor;
use townhall_authz::{Action, Resource};
use townhall_cases::attachments::UploadError;
use townhall_cases::{Channel, Location, NotPlaced, Requester, Submission};
use townhall_identity::UserKind;
use townhall_places::Address;
use townhall_services::{
    check_answers, field as first, Answer, Answers, FormInput, LocationInput, LocationKind,
    Prefill, Question, QuestionKind, Service, Slot,
};
use townhall_types::text::PersonName;
use townhall_types::{EmailAddress, Timestamp, UserId};

use crate::auth::Visitor;
use crate::error::AppError;
use crate::form::{Posted, UploadedFile};
use crate::layout::{csrf, error_summary, page, title, Errors};
use crate::AppState;

/// The guest's own details, asked after the service's questions.
const GUEST_NAME: &str = "your-name";
const GUEST_EMAIL: &str = "your-email";

/// The form as sent, with what the person asked for.
struct Sent {
    input: FormInput,
    /// `find-address` (look up the postcode), `change` (back to the questions) or empty.
    action: String,
}

fn read(pairs: Vec<(String, String)>) -> Sent {
    let mut input = FormInput::new();
    let mut action = String::new();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => {}
            "action" => action = v,
            _ => input.entry(k).or_default().push(v),
        }
    }
    Sent { input, action }
}

fn service<'a>(state: &'a AppState, id: &str) -> Result<&'a Service, AppError> {
    state.site.services.get(id).ok_or(AppError::NotFound)
}

/// The field carrying the resident a member of staff is acting for.
const ASSISTING: &str = "for";

/// Who is using the service, after checking they may: a member of staff
/// acting for a resident (assisted digital, when the form names one), a
/// signed-in resident, or a guest where the service allows guests.
async fn requester(
    state: &AppState,
    s: &Service,
    v: &Visitor,
    input: &FormInput,
) -> Result<(Requester, Channel), AppError> {
    let assisting = first(input, ASSISTING);
    if let (Some(_), false) = (&v.staff, assisting.is_empty()) {
        let owner: UserId = assisting.parse().map_err(|_| AppError::NotFound)?;
        let staff = v.staff_for(Action::Read, &Resource::StaffHome)?;
        let (relationship, _) = crate::pages::staff::relationship(state, staff, owner).await?;
        let me = v.staff_for(
            Action::Write,
            &Resource::ResidentRecord {
                owner,
                relationship,
            },
        )?;
        // Every page of an assisted request shows the resident's name: each
        // is a look at their account, and recorded.
        let resident = townhall_identity::accounts::get_as(
            state.store(),
            state.council().id,
            owner,
            (
                townhall_audit::Actor::Staff(me.user.id.to_string()),
                &me.label(),
                "assisted digital: making a request for the resident",
            ),
        )
        .await?
        .filter(|u| u.kind == UserKind::Resident)
        .ok_or(AppError::NotFound)?;
        return Ok((
            Requester::Resident {
                id: resident.id,
                name: resident.display_name,
                email: resident.email,
            },
            Channel::Assisted {
                staff: me.user.id,
                label: me.label(),
            },
        ));
    }
    if v.user.is_some() {
        let user = v.resident(Action::Write)?;
        let me = Requester::Resident {
            id: user.id,
            name: user.display_name.clone(),
            email: user.email.clone(),
        };
        return Ok((me, Channel::Online));
    }
    if !s.guests {
        return Err(AppError::SignInRequired { staff: false });
    }
    let guest = Requester::Guest {
        // A name too long is refused in `prepare`, against its field.
        name: PersonName::parse(first(input, GUEST_NAME))
            .ok()
            .flatten()
            .map(PersonName::into_string),
        email: EmailAddress::parse(first(input, GUEST_EMAIL)).ok(),
        phone: None,
    };
    Ok((guest, Channel::Online))
}

/// What the council already knows, filled in for a signed-in resident, or for
/// the resident a member of staff is helping (that read is audited).
async fn prefilled(
    state: &AppState,
    s: &Service,
    requester: &Requester,
    channel: &Channel,
) -> Result<FormInput, AppError> {
    let mut input = FormInput::new();
    let Requester::Resident { id, .. } = requester else {
        return Ok(input);
    };
    let council = state.council().id;
    let profile = match channel {
        Channel::Assisted { staff, label } => {
            input.insert(ASSISTING.to_owned(), vec![id.to_string()]);
            townhall_identity::profiles::read_as(
                state.store(),
                council,
                *id,
                Actor::Staff(staff.to_string()),
                label,
                "assisted digital: making a request for the resident",
            )
            .await?
        }
        _ => townhall_identity::profiles::read_own(state.store(), council, *id).await?,
    };
    let Some(profile) = profile else {
        return Ok(input);
    };
    for q in &s.questions {
        match (q.prefill, &profile.uprn, &profile.phone) {
            (Some(Prefill::HomeAddress), Some(uprn), _) => {
                input.insert(format!("{}-uprn", q.id), vec![uprn.clone()]);
            }
            (Some(Prefill::Phone), _, Some(phone)) => {
                input.insert(q.id.clone(), vec![phone.clone()]);
            }
            _ => {}
        }
    }
    Ok(input)
}

/// `?for=USER_ID`: a member of staff making the request for a resident.
#[derive(serde::Deserialize)]
pub struct Assist {
    #[serde(default, rename = "for")]
    resident: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::extract::Query(assist): axum::extract::Query<Assist>,
) -> Result<Response, AppError> {
    let s = service(&state, &id)?;
    let mut asked = FormInput::new();
    if let Some(resident) = assist.resident {
        asked.insert(ASSISTING.to_owned(), vec![resident]);
    }
    let (requester, channel) = requester(&state, s, &v, &asked).await?;
    let input = prefilled(&state, s, &requester, &channel).await?;
    let found = addresses_for(&state, s, &input).await?;
    Ok(form_page(&state, &v, s, &input, &Errors::default(), &found)
        .await?
        .into_response())
}

/// For each location question whose postcode has been given (or whose address
/// is already chosen), the addresses at that postcode.
async fn addresses_for(
    state: &AppState,
    s: &Service,
    input: &FormInput,
) -> Result<Vec<Address>, AppError> {
    let Some(q) = s.location_question() else {
        return Ok(Vec::new());
    };
    let council = state.council().id;
    let postcode = first(input, &format!("{}-postcode", q.id));
    if let Some(postcode) = townhall_places::normalise_postcode(postcode) {
        return Ok(townhall_places::addresses_at(state.store(), council, &postcode).await?);
    }
    let uprn = first(input, &format!("{}-uprn", q.id));
    if uprn.is_empty() {
        return Ok(Vec::new());
    }
    Ok(
        match townhall_places::address(state.store(), council, uprn).await? {
            Some(a) => townhall_places::addresses_at(state.store(), council, &a.postcode).await?,
            None => Vec::new(),
        },
    )
}

async fn slots(state: &AppState, s: &Service) -> Result<Vec<Slot>, AppError> {
    let (Some(booking), Some(q)) = (
        &s.booking,
        s.questions.iter().find(|q| q.kind == QuestionKind::Slot),
    ) else {
        return Ok(Vec::new());
    };
    let booked =
        townhall_cases::booked_days(state.store(), state.council().id, &s.id, &q.id).await?;
    Ok(booking.available(Timestamp::now().datetime().date(), &booked))
}

/// Checks everything; the case-to-be, or the errors against their fields.
async fn prepare<'a>(
    state: &'a AppState,
    s: &'a Service,
    v: &Visitor,
    input: &FormInput,
) -> Result<Result<Submission<'a>, Errors>, AppError> {
    let (requester, channel) = requester(state, s, v, input).await?;
    let today = Timestamp::now().datetime().date();
    let mut errors = Errors::default();
    let answers = match check_answers(&s.questions, input, today) {
        Ok(a) => a,
        Err(e) => {
            errors = e;
            Answers::new()
        }
    };
    if let Some(q) = s.questions.iter().find(|q| q.kind == QuestionKind::Slot) {
        if let Some(Answer::Slot(day)) = answers.get(&q.id) {
            if !slots(state, s).await?.iter().any(|slot| slot.date == *day) {
                errors.push(
                    &q.id,
                    "That day is now full or cannot be booked. Choose another day",
                );
            }
        }
    }
    let mut location = None;
    if let Some(q) = s.location_question() {
        if let Some(Answer::Location(place)) = answers.get(&q.id) {
            let placed = townhall_cases::locate(
                state.store(),
                state.council().id,
                &state.site.boundaries,
                place,
            )
            .await?;
            match (placed, place) {
                (Ok(l), _) => location = Some(l),
                (
                    Err(NotPlaced::OutsideArea),
                    LocationInput::Point {
                        latitude,
                        longitude,
                    },
                ) => errors.push(&q.id, state.outside_area(*latitude, *longitude)),
                (Err(_), _) => errors.push(&q.id, "Choose an address from the list"),
            }
        }
    }
    if let (Requester::Guest { .. }, Err(too_long)) =
        (&requester, PersonName::parse(first(input, GUEST_NAME)))
    {
        errors.push(GUEST_NAME, format!("Your name {too_long}"));
    }
    if let Requester::Guest { email: None, .. } = &requester {
        let typed = first(input, GUEST_EMAIL);
        if !typed.is_empty() {
            errors.push(
                GUEST_EMAIL,
                "Enter an email address in the correct format, like name@example.com",
            );
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let submission = Submission {
        council: state.council(),
        service: s,
        answers,
        location,
        requester,
        channel,
        at: Timestamp::now(),
    };
    let mut tx = state.store().begin().await?;
    let refusals = townhall_cases::refusals(&mut tx, &submission).await?;
    tx.rollback().await?;
    if !refusals.is_empty() {
        return Ok(Err(refusals));
    }
    Ok(Ok(submission))
}

/// The form again, with the errors against their fields.
async fn invalid(
    state: &AppState,
    v: &Visitor,
    s: &Service,
    input: &FormInput,
    errors: &Errors,
) -> Result<Response, AppError> {
    let found = addresses_for(state, s, input).await?;
    let body = form_page(state, v, s, input, errors, &found).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}

pub async fn answer(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AppError> {
    let s = service(&state, &id)?;
    let Sent { mut input, action } = read(posted.fields);
    let refused = store_photos(&state, s, &mut input, posted.files).await?;
    if !refused.is_empty() {
        return invalid(&state, &v, s, &input, &refused).await;
    }
    match action.as_str() {
        "find-address" => {
            let mut errors = Errors::default();
            let found = addresses_for(&state, s, &input).await?;
            if let Some(q) = s.location_question() {
                let field = format!("{}-postcode", q.id);
                let typed = first(&input, &field);
                if townhall_places::normalise_postcode(typed).is_none() {
                    let message =
                        match townhall_places::example_postcode(state.store(), state.council().id)
                            .await?
                        {
                            Some(example) => format!("Enter a full postcode, like {example}"),
                            None => "Enter a full postcode".to_owned(),
                        };
                    errors.push(&field, message);
                } else if found.is_empty() {
                    errors.push(&field, format!("We cannot find any addresses at {typed} in this council's area. Check the postcode"));
                }
            }
            let status = if errors.is_empty() {
                axum::http::StatusCode::OK
            } else {
                axum::http::StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((
                status,
                form_page(&state, &v, s, &input, &errors, &found).await?,
            )
                .into_response())
        }
        "change" => {
            let found = addresses_for(&state, s, &input).await?;
            Ok(form_page(&state, &v, s, &input, &Errors::default(), &found)
                .await?
                .into_response())
        }
        _ => match prepare(&state, s, &v, &input).await? {
            Err(errors) => invalid(&state, &v, s, &input, &errors).await,
            Ok(ready) => {
                let nearby = if action == "new-problem" {
                    Vec::new()
                } else {
                    same_problem(&state, s, &ready).await?
                };
                if nearby.is_empty() {
                    Ok(check_page(&state, &v, s, &input, &ready).into_response())
                } else {
                    Ok(same_problem_page(&state, &v, s, &input, &nearby).into_response())
                }
            }
        },
    }
}

/// Stores the photos sent for the service's photo questions, putting each
/// one's id (and its file name, to show back) into the answers; the uploads
/// refused, against their questions. Files sent for other fields are ignored.
async fn store_photos(
    state: &AppState,
    s: &Service,
    input: &mut FormInput,
    files: Vec<UploadedFile>,
) -> Result<Errors, AppError> {
    let mut refused = Errors::default();
    for file in files {
        let Some(q) = s
            .questions
            .iter()
            .find(|q| q.kind == QuestionKind::Photo && q.id == file.field)
        else {
            continue;
        };
        let stored = townhall_cases::attachments::upload(
            state.store(),
            state.council().id,
            &file.filename,
            file.bytes,
            Timestamp::now(),
        )
        .await;
        match stored {
            Ok(id) => {
                input.insert(q.id.clone(), vec![id.to_string()]);
                input.insert(photo_name_field(q), vec![file.filename]);
            }
            Err(UploadError::Store(e)) => return Err(e.into()),
            Err(refusal) => {
                input.remove(&q.id);
                input.remove(&photo_name_field(q));
                refused.push(&q.id, refusal.to_string());
            }
        }
    }
    Ok(refused)
}

/// The hidden field that keeps the name of the file uploaded for `q`.
fn photo_name_field(q: &Question) -> String {
    format!("{}-filename", q.id)
}

/// Open reports of the same service close to the new one, nearest first.
async fn same_problem(
    state: &AppState,
    s: &Service,
    ready: &Submission<'_>,
) -> Result<Vec<(townhall_cases::Case, f64)>, AppError> {
    let (Some(d), Some(l)) = (&s.duplicates, &ready.location) else {
        return Ok(Vec::new());
    };
    let since = ready
        .at
        .plus(time::Duration::days(-i64::from(d.within_days)));
    Ok(townhall_cases::nearby_open(
        state.store(),
        state.council().id,
        &s.id,
        (l.latitude, l.longitude),
        d.within_metres,
        since,
    )
    .await?)
}

fn hidden_fields(input: &FormInput) -> Markup {
    html! {
        @for (k, vs) in input {
            @for val in vs { input type="hidden" name=(k) value=(val); }
        }
    }
}

fn same_problem_page(
    state: &AppState,
    v: &Visitor,
    s: &Service,
    input: &FormInput,
    nearby: &[(townhall_cases::Case, f64)],
) -> Markup {
    page(
        v,
        &state.council().name,
        "Is this the same problem?",
        html! {
            span class="caption" { (s.name) }
            h1 { "Is this the same problem?" }
            p { "Someone has already reported this nearby. If it is the same problem, we will add you to their report and tell you when it changes, so the team can fix it sooner." }
            @for (case, metres) in nearby {
                div class="card" {
                    h2 { "Reported " (case.created_at.human_date()) }
                    p { "About " (metres.round()) " metres from where you said. Status: "
                        strong { (s.workflow.status(&case.status).map_or(case.status.as_str(), |st| st.label.as_str())) } "." }
                    form method="post" action={ "/services/" (s.id) "/join" } {
                        (csrf(v))
                        (hidden_fields(input))
                        input type="hidden" name="join" value=(case.reference);
                        button class="button" type="submit" { "Yes, this is the same problem" }
                    }
                }
            }
            form method="post" action={ "/services/" (s.id) "/answers" } {
                (csrf(v))
                (hidden_fields(input))
                button class="button button--secondary" type="submit" name="action" value="new-problem" { "No, this is a different problem" }
            }
        },
    )
}

pub async fn join(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let s = service(&state, &id)?;
    let Sent { mut input, .. } = read(pairs);
    let reference = input
        .remove("join")
        .and_then(|v| v.into_iter().next())
        .unwrap_or_default();
    let ready = match prepare(&state, s, &v, &input).await? {
        Ok(ready) => ready,
        Err(errors) => return invalid(&state, &v, s, &input, &errors).await,
    };
    // Only a report that is open, close by and recent may be joined.
    let nearby = same_problem(&state, s, &ready).await?;
    let Some((case, _)) = nearby.into_iter().find(|(c, _)| c.reference == reference) else {
        return Err(AppError::BadRequest(
            "That report can no longer be joined. Go back and send your report instead".into(),
        ));
    };
    let mut tx = state.store().begin().await?;
    townhall_cases::join(
        &mut tx,
        &state.shared.templates,
        state.council(),
        s,
        &case,
        &ready.requester,
        ready.at,
    )
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    tx.commit().await?;
    Ok(Redirect::to(&confirmation(&state, s, &ready, &case.reference, true)).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let s = service(&state, &id)?;
    let Sent { input, .. } = read(pairs);
    let submission = match prepare(&state, s, &v, &input).await? {
        Ok(ready) => ready,
        Err(errors) => return invalid(&state, &v, s, &input, &errors).await,
    };
    if let Some(fee) = &s.fee {
        // Paid services: the request waits in the payment until it is paid.
        let draft = serde_json::to_string(&input).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = state.store().begin().await?;
        let payment = townhall_payments::create(
            &mut tx,
            state.council().id,
            &s.id,
            fee.amount_pence,
            &fee.description,
            state.site.payments.name(),
            v.user.as_ref().map(|u| u.id),
            &draft,
        )
        .await?;
        tx.commit().await?;
        let back = state
            .site
            .public_url
            .join(&format!("payments/{}/return", payment.id))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let next = state
            .site
            .payments
            .start(&payment, &back)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(Redirect::to(next.as_str()).into_response());
    }
    match make_case(&state, &submission, None).await? {
        Ok(case) => Ok(Redirect::to(&confirmation(
            &state,
            s,
            &submission,
            &case.reference,
            false,
        ))
        .into_response()),
        Err(errors) => invalid(&state, &v, s, &input, &errors).await,
    }
}

/// Makes the case in its own transaction, settling the payment that paid for
/// it (if any) in the same one; the case, or why it was refused.
async fn make_case(
    state: &AppState,
    submission: &Submission<'_>,
    paid_by: Option<townhall_types::PaymentId>,
) -> Result<Result<townhall_cases::Case, Errors>, AppError> {
    let mut tx = state.store().begin().await?;
    let made = townhall_cases::submit(&mut tx, &state.shared.templates, submission)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match made {
        Ok(case) => {
            if let Some(payment) = paid_by {
                townhall_payments::settle(
                    &mut tx,
                    state.council().id,
                    payment,
                    townhall_payments::Status::Success,
                    Some(case.id),
                )
                .await?;
            }
            tx.commit().await?;
            Ok(Ok(case))
        }
        Err(errors) => {
            tx.rollback().await?;
            Ok(Err(errors))
        }
    }
}

/// Turns a paid draft into a case: the answers are checked again (a day may
/// have filled up meanwhile). Where to send the payer, or why it could not be made.
pub(crate) async fn paid(
    state: &AppState,
    v: &Visitor,
    s: &Service,
    payment: &townhall_payments::Payment,
) -> Result<Result<String, Errors>, AppError> {
    let input: FormInput = serde_json::from_str(&payment.draft)
        .map_err(|e| AppError::Internal(format!("payment draft: {e}")))?;
    let submission = match prepare(state, s, v, &input).await? {
        Ok(ready) => ready,
        Err(errors) => return Ok(Err(errors)),
    };
    Ok(make_case(state, &submission, Some(payment.id))
        .await?
        .map(|case| confirmation(state, s, &submission, &case.reference, false)))
}

/// Where the person goes once the request is made (or joined): a resident to
/// the request among their own, anyone else to a confirmation of the reference.
/// The confirmation's address carries a receipt only this server can make,
/// so it cannot be used to try references.
fn confirmation(
    state: &AppState,
    s: &Service,
    made: &Submission<'_>,
    reference: &str,
    joined: bool,
) -> String {
    let receipt = state.shared.csrf.receipt(reference);
    match (&made.requester, &made.channel, joined) {
        (Requester::Resident { .. }, Channel::Online, false) => {
            format!("/requests/{reference}?new=1")
        }
        (Requester::Resident { .. }, Channel::Online, true) => format!("/requests/{reference}"),
        (_, _, false) => format!("/services/{}/sent/{reference}?receipt={receipt}", s.id),
        (_, _, true) => {
            format!(
                "/services/{}/sent/{reference}?receipt={receipt}&joined=1",
                s.id
            )
        }
    }
}

/// Whether the confirmation is for joining an earlier report.
#[derive(serde::Deserialize)]
pub struct SentQuery {
    #[serde(default)]
    joined: Option<String>,
    #[serde(default)]
    receipt: String,
}

pub async fn sent(
    State(state): State<AppState>,
    v: Visitor,
    Path((id, reference)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<SentQuery>,
) -> Result<Markup, AppError> {
    let s = service(&state, &id)?;
    // Only whoever made the request is sent here with its receipt; without
    // it, trying references would tell which exist (and so who asked for a
    // permit or a bin, and when).
    if !state.shared.csrf.is_receipt(&reference, &q.receipt) {
        return Err(AppError::NotFound);
    }
    // Only a reference this service gave is shown as one, so the page cannot
    // be made to present any text in the council's name.
    let filter = townhall_cases::public::PublicFilter {
        references: vec![reference.clone()],
        services: vec![s.id.clone()],
        ..Default::default()
    };
    if townhall_cases::public::list(state.store(), state.council().id, &filter, 1, 0)
        .await?
        .is_empty()
    {
        return Err(AppError::NotFound);
    }
    let joined = q.joined.is_some();
    Ok(page(
        &v,
        &state.council().name,
        if joined {
            "Added to the earlier report"
        } else {
            "Request sent"
        },
        html! {
            div class="panel" {
                h1 { (s.name) ": " (if joined { "added to the earlier report" } else { "sent" }) }
                p { "The reference number" br; strong { (reference) } }
            }
            p { "We aim to deal with it within " (s.deadline) "." }
            p { "If you gave us your email address, we have sent you a confirmation and will tell you when it changes." }
            p { a href="/services" { "Use another service" } }
        },
    ))
}

fn error_for<'a>(errors: &'a Errors, q: &Question) -> Option<&'a str> {
    errors.get(&q.id)
}

fn hint_and_error(id: &str, hint: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(h) = hint { span class="hint" id={ (id) "-hint" } { (h) } }
        @if let Some(e) = error { span class="error-message" id={ (id) "-error" } { span class="visually-hidden" { "Error: " } (e) } }
    }
}

fn described(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn question_field(
    q: &Question,
    input: &FormInput,
    errors: &Errors,
    found: &[Address],
    slots: &[Slot],
) -> Markup {
    let error = error_for(errors, q);
    let value = first(input, &q.id);
    let group = if error.is_some() {
        "form-group form-group--error"
    } else {
        "form-group"
    };
    let aria = described(&q.id, q.hint.is_some(), error.is_some());
    let optional = if q.required { "" } else { " (optional)" };
    html! {
        div class=(group) {
            @match q.kind {
                QuestionKind::Text | QuestionKind::Number => {
                    label for=(q.id) { (q.label) (optional) }
                    (hint_and_error(&q.id, q.hint.as_deref(), error))
                    input type="text" id=(q.id) name=(q.id) value=(value)
                        class=[error.map(|_| "input--error")]
                        inputmode=[(q.kind == QuestionKind::Number).then_some("decimal")]
                        aria-describedby=[aria.as_deref()];
                }
                QuestionKind::LongText => {
                    label for=(q.id) { (q.label) (optional) }
                    (hint_and_error(&q.id, q.hint.as_deref(), error))
                    textarea id=(q.id) name=(q.id) rows="5" class=[error.map(|_| "input--error")] aria-describedby=[aria.as_deref()] { (value) }
                }
                QuestionKind::Date => {
                    fieldset role="group" aria-describedby=[aria.as_deref()] {
                        legend { (q.label) (optional) }
                        (hint_and_error(&q.id, q.hint.as_deref(), error))
                        div class="date-input" id=(q.id) {
                            @for (part, label, width) in [("day", "Day", "input--width-2"), ("month", "Month", "input--width-2"), ("year", "Year", "input--width-4")] {
                                @let name = format!("{}-{part}", q.id);
                                div class="form-group" {
                                    label for=(name) { (label) }
                                    input class={ (width) @if error.is_some() { " input--error" } } type="text" inputmode="numeric" id=(name) name=(name) value=(first(input, &name));
                                }
                            }
                        }
                    }
                }
                QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::YesNo => {
                    @let multiple = q.kind == QuestionKind::MultipleChoice;
                    @let chosen: Vec<&str> = input.get(&q.id).into_iter().flatten().map(String::as_str).collect();
                    @let options: Vec<(String, String)> = if q.kind == QuestionKind::YesNo {
                        vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())]
                    } else {
                        q.choices.iter().map(|c| (c.value.clone(), c.label.clone())).collect()
                    };
                    fieldset aria-describedby=[aria.as_deref()] {
                        legend { (q.label) (optional) }
                        (hint_and_error(&q.id, q.hint.as_deref(), error))
                        @for (n, (value, label)) in options.iter().enumerate() {
                            @let id = if n == 0 { q.id.clone() } else { format!("{}-{value}", q.id) };
                            div class=(if multiple { "checkboxes__item" } else { "radios__item" }) {
                                input type=(if multiple { "checkbox" } else { "radio" }) id=(id) name=(q.id) value=(value) checked[chosen.contains(&value.as_str())];
                                label for=(id) { (label) }
                            }
                        }
                    }
                }
                QuestionKind::Slot => {
                    @let chosen = value;
                    fieldset aria-describedby=[aria.as_deref()] {
                        legend { (q.label) }
                        (hint_and_error(&q.id, q.hint.as_deref(), error))
                        @if slots.is_empty() {
                            p { "There are no days left to book in the next few weeks. Try again later." }
                        }
                        @for (n, slot) in slots.iter().enumerate() {
                            @let value = slot.date.to_string();
                            @let id = if n == 0 { q.id.clone() } else { format!("{}-{value}", q.id) };
                            div class="radios__item" {
                                input type="radio" id=(id) name=(q.id) value=(value) checked[chosen == value];
                                label for=(id) { (human_date(slot.date)) " (" (slot.remaining) " left)" }
                            }
                        }
                    }
                }
                QuestionKind::Location => {
                    (location_field(q, input, error, found))
                }
                QuestionKind::Photo => {
                    @let uploaded = first(input, &photo_name_field(q));
                    label for=(q.id) { (q.label) (optional) }
                    @if value.is_empty() {
                        (hint_and_error(&q.id, Some(q.hint.as_deref().unwrap_or("A photo in JPG, PNG or WebP format, smaller than 10 MB")), error))
                    } @else {
                        (hint_and_error(&q.id, Some(&format!("You have uploaded {}. Choose another file only to replace it.", if uploaded.is_empty() { "a photo" } else { uploaded })), error))
                        input type="hidden" name=(q.id) value=(value);
                        input type="hidden" name=(photo_name_field(q)) value=(uploaded);
                    }
                    input type="file" id=(q.id) name=(q.id) accept="image/jpeg,image/png,image/webp"
                        class=[error.map(|_| "file-upload--error")]
                        aria-describedby={ (q.id) "-hint" @if error.is_some() { " " (q.id) "-error" } };
                }
            }
        }
    }
}

fn location_field(
    q: &Question,
    input: &FormInput,
    error: Option<&str>,
    found: &[Address],
) -> Markup {
    let postcode_field = format!("{}-postcode", q.id);
    let uprn_field = format!("{}-uprn", q.id);
    let chosen = first(input, &uprn_field);
    let by_address = q.accept.contains(&LocationKind::Address);
    let by_point = q.accept.contains(&LocationKind::Point);
    html! {
        fieldset {
            legend { (q.label) }
            (hint_and_error(&q.id, q.hint.as_deref(), error))
            @if by_address {
                div class="form-group" id=(q.id) {
                    label for=(postcode_field) { "Postcode" }
                    input class="input--width-10" type="text" id=(postcode_field) name=(postcode_field) value=(first(input, &postcode_field)) autocomplete="postal-code";
                    " "
                    button class="button button--secondary" type="submit" name="action" value="find-address" { "Find address" }
                }
                @if !found.is_empty() {
                    div class="form-group" {
                        label for=(uprn_field) { "Choose the address" }
                        select id=(uprn_field) name=(uprn_field) {
                            option value="" { (found.len()) @if found.len() == 1 { " address found" } @else { " addresses found" } }
                            @for a in found {
                                option value=(a.uprn) selected[a.uprn == chosen] { (a.one_line()) }
                            }
                        }
                    }
                } @else if !chosen.is_empty() {
                    input type="hidden" name=(uprn_field) value=(chosen);
                }
            }
            @if by_point {
                @let lat = format!("{}-latitude", q.id);
                @let lon = format!("{}-longitude", q.id);
                p { @if by_address { "Or give the exact point:" } @else { "Give the exact point:" } }
                div class="date-input" {
                    div class="form-group" { label for=(lat) { "Latitude" } input class="input--width-10" type="text" inputmode="decimal" id=(lat) name=(lat) value=(first(input, &lat)); }
                    div class="form-group" { label for=(lon) { "Longitude" } input class="input--width-10" type="text" inputmode="decimal" id=(lon) name=(lon) value=(first(input, &lon)); }
                }
            }
        }
    }
}

fn human_date(d: time::Date) -> String {
    format!("{} {} {} {}", d.weekday(), d.day(), d.month(), d.year())
}

async fn form_page(
    state: &AppState,
    v: &Visitor,
    s: &Service,
    input: &FormInput,
    errors: &Errors,
    found: &[Address],
) -> Result<Markup, AppError> {
    let slots = slots(state, s).await?;
    let guest = v.user.is_none();
    let assisting = match first(input, ASSISTING).parse::<UserId>() {
        Ok(id) if v.staff.is_some() => {
            townhall_identity::accounts::get(state.store(), state.council().id, id)
                .await?
                .map(|u| u.display_name)
        }
        _ => None,
    };
    let whole = errors.get("");
    Ok(page(
        v,
        &state.council().name,
        &title(errors, &s.name),
        html! {
            (error_summary(errors))
            span class="caption" { (s.group) }
            h1 { (s.name) }
            @if let Some(e) = whole { p class="error-message" { (e) } }
            @if let Some(name) = &assisting {
                div class="inset-text" { "You are making this request for " strong { (name) } ". It will be recorded as made by you on their behalf, and they will be sent the confirmation." }
            }
            @let uploads = s.questions.iter().any(|q| q.kind == QuestionKind::Photo);
            form method="post" action={ "/services/" (s.id) "/answers" } novalidate enctype=[uploads.then_some("multipart/form-data")] {
                (csrf(v))
                @if assisting.is_some() { input type="hidden" name=(ASSISTING) value=(first(input, ASSISTING)); }
                @for q in &s.questions { (question_field(q, input, errors, found, &slots)) }
                @if guest {
                    h2 { "Your details (optional)" }
                    p { "Give your email address if you want a confirmation and updates." }
                    @let email_error = errors.get(GUEST_EMAIL);
                    @let name_error = errors.get(GUEST_NAME);
                    div class={ "form-group" @if name_error.is_some() { " form-group--error" } } {
                        label for=(GUEST_NAME) { "Your name" }
                        (hint_and_error(GUEST_NAME, None, name_error))
                        input class=[name_error.map(|_| "input--error")] type="text" id=(GUEST_NAME) name=(GUEST_NAME) value=(first(input, GUEST_NAME)) autocomplete="name" spellcheck="false" aria-describedby=[described(GUEST_NAME, false, name_error.is_some())];
                    }
                    div class={ "form-group" @if email_error.is_some() { " form-group--error" } } {
                        label for=(GUEST_EMAIL) { "Your email address" }
                        (hint_and_error(GUEST_EMAIL, None, email_error))
                        input type="email" id=(GUEST_EMAIL) name=(GUEST_EMAIL) value=(first(input, GUEST_EMAIL)) autocomplete="email" spellcheck="false";
                    }
                }
                button class="button" type="submit" { "Continue" }
            }
        },
    ))
}

/// How an answer reads in "check your answers".
pub fn answer_text(q: &Question, a: &Answer, location: Option<&Location>) -> String {
    match a {
        Answer::Text(t) => t.clone(),
        Answer::Number(n) => n.to_string(),
        Answer::Date(d) => format!("{} {} {}", d.day(), d.month(), d.year()),
        Answer::Choice(c) => q.choice_label(c).unwrap_or(c).to_owned(),
        Answer::Choices(cs) => cs
            .iter()
            .map(|c| q.choice_label(c).unwrap_or(c))
            .collect::<Vec<_>>()
            .join(", "),
        Answer::YesNo(true) => "Yes".to_owned(),
        Answer::YesNo(false) => "No".to_owned(),
        Answer::Slot(d) => human_date(*d),
        Answer::Photo(_) => "Photo uploaded".to_owned(),
        Answer::Location(input) => match (location, input) {
            (
                Some(Location {
                    address: Some(a), ..
                }),
                _,
            ) => a.clone(),
            (
                _,
                LocationInput::Point {
                    latitude,
                    longitude,
                },
            ) => format!("{latitude:.5}, {longitude:.5}"),
            (_, LocationInput::Address { uprn }) => format!("Property {uprn}"),
        },
    }
}

fn check_page(
    state: &AppState,
    v: &Visitor,
    s: &Service,
    input: &FormInput,
    ready: &Submission<'_>,
) -> Markup {
    let (answers, location, requester) =
        (&ready.answers, ready.location.as_ref(), &ready.requester);
    let place = location.map(|l| {
        let w = &l.whereabouts;
        match (&w.ward, &w.parish) {
            (Some(ward), Some(parish)) => format!("{} ward, {}", ward.name, parish.name),
            (Some(ward), None) => format!("{} ward", ward.name),
            _ => "Outside the council's wards".to_owned(),
        }
    });
    page(
        v,
        &state.council().name,
        "Check your answers",
        html! {
            span class="caption" { (s.name) }
            h1 { "Check your answers before sending" }
            // One form: each row's "Change" goes back to the questions, at its own
            // (the answers travel with it, as nothing is kept between pages).
            form method="post" action={ "/services/" (s.id) "/answers" } {
                (csrf(v))
                (hidden_fields(input))
                dl class="summary-list" {
                    @for q in &s.questions {
                        div class="summary-list__row" {
                            dt { (q.short_name()) }
                            dd { (answers.get(&q.id).map(|a| answer_text(q, a, location)).unwrap_or_else(|| "Not given".to_owned())) }
                            dd class="summary-list__actions" {
                                button class="link-button" type="submit" name="action" value="change"
                                    formaction={ "/services/" (s.id) "/answers#" (q.id) } {
                                    "Change" span class="visually-hidden" { " " (q.short_name().to_lowercase()) }
                                }
                            }
                        }
                    }
                    @if let Some(p) = &place {
                        div class="summary-list__row" { dt { "Area" } dd { (p) } dd class="summary-list__actions" {} }
                    }
                    @if let Requester::Guest { name, email, .. } = requester {
                        div class="summary-list__row" {
                            dt { "Your name" }
                            dd { (name.as_deref().unwrap_or("Not given")) }
                            dd class="summary-list__actions" {
                                button class="link-button" type="submit" name="action" value="change"
                                    formaction={ "/services/" (s.id) "/answers#" (GUEST_NAME) } {
                                    "Change" span class="visually-hidden" { " your name" }
                                }
                            }
                        }
                        div class="summary-list__row" {
                            dt { "Your email address" }
                            dd { (email.as_ref().map(ToString::to_string).unwrap_or_else(|| "Not given".to_owned())) }
                            dd class="summary-list__actions" {
                                button class="link-button" type="submit" name="action" value="change"
                                    formaction={ "/services/" (s.id) "/answers#" (GUEST_EMAIL) } {
                                    "Change" span class="visually-hidden" { " your email address" }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(fee) = &s.fee {
            h2 { "Payment" }
            p { "This costs " strong { (fee.display()) } " (" (fee.description) "). You pay on the next page; your request is sent once it is paid." }
        }
        h2 { "Now send your request" }
            p { "By sending this you confirm that the details are correct to the best of your knowledge." }
            form method="post" action={ "/services/" (s.id) "/submit" } {
                (csrf(v))
                (hidden_fields(input))
                button class="button" type="submit" { (if s.fee.is_some() { "Continue to payment" } else { "Send" }) }
            }
        },
    )
}
