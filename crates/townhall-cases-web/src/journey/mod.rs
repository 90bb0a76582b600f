//! Using a service: the questions, "check your answers", and the submission that
//! becomes a case. Works without JavaScript: finding an address by postcode is a
//! button that sends the form back with the addresses listed, answers kept.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_cases::attachments::UploadError;
use townhall_cases::{Application, Channel, NotPlaced, Requester, Submission};
use townhall_identity::permissions::{ResidentRecord, StaffArea};
use townhall_identity::UserKind;
use townhall_places::Address;
use townhall_services::{
    field as first, FormInput, Prefill, Question, QuestionKind, Service, Slot,
};
use townhall_types::text::PersonName;
use townhall_types::{EmailAddress, Timestamp, UserId};

use form::{check_page, form_page};
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::{Form, Posted, Query, UploadedFile};
use townhall_web::layout::{csrf, page, Errors};
use townhall_web::AppState;

mod form;

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
    state
        .setting::<townhall_services::Catalogue>()?
        .get(id)
        .ok_or(AppError::NotFound)
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
        let staff = v.staff_for(Action::Read, &StaffArea)?;
        let relationship =
            townhall_cases::Standing::of(state.store(), state.council().id, staff, owner)
                .await?
                .relationship;
        let me = v.staff_for(
            Action::Write,
            &ResidentRecord {
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
        return Err(AppError::SignInRequired(
            townhall_authz::Audience::Residents,
        ));
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
    Query(assist): Query<Assist>,
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
    let mut contact = Errors::default();
    if let (Requester::Guest { .. }, Err(too_long)) =
        (&requester, PersonName::parse(first(input, GUEST_NAME)))
    {
        contact.push(GUEST_NAME, format!("Your name {too_long}"));
    }
    if let Requester::Guest { email: None, .. } = &requester {
        if !first(input, GUEST_EMAIL).is_empty() {
            contact.push(
                GUEST_EMAIL,
                "Enter an email address in the correct format, like name@example.com",
            );
        }
    }
    let application = Application {
        council: state.council(),
        boundaries: state.setting::<townhall_places::Boundaries>()?,
        service: s,
        collections: state.settings().get::<townhall_waste::Collections>(),
        input,
        at: Timestamp::now(),
    };
    let mut errors =
        match townhall_cases::prepare(state.store(), application, requester, channel).await? {
            Ok(submission) if contact.is_empty() => return Ok(Ok(submission)),
            Ok(_) => Errors::default(),
            Err(refused) => refused.into_fields(|why| match why {
                NotPlaced::OutsideArea {
                    latitude,
                    longitude,
                } => state.outside_area(latitude, longitude),
                NotPlaced::UnknownAddress => "Choose an address from the list".to_owned(),
            }),
        };
    for (field, message) in contact.iter() {
        errors.push(field, message);
    }
    Ok(Err(errors))
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
    Form(pairs): Form<Vec<(String, String)>>,
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
    townhall_cases::join_report(
        state.store(),
        state.templates(),
        state.council(),
        s,
        &case,
        &ready.requester,
        ready.at,
    )
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to(&confirmation(
        &state,
        s,
        (&ready.requester, &ready.channel),
        &case.reference,
        true,
    ))
    .into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let s = service(&state, &id)?;
    let Sent { input, .. } = read(pairs);
    let submission = match prepare(&state, s, &v, &input).await? {
        Ok(ready) => ready,
        Err(errors) => return invalid(&state, &v, s, &input, &errors).await,
    };
    if s.fee.is_some() {
        // Paid services: the request waits in the payment until it is paid.
        let next = townhall_cases::paid::pay_for(
            state.store(),
            &crate::till(&state)?,
            &submission,
            &input,
            |payment| {
                state
                    .public_url()
                    .join(&format!("payments/{payment}/return"))
            },
        )
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(Redirect::to(next.as_str()).into_response());
    }
    let made = townhall_cases::make(state.store(), &submission)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match made {
        Ok(case) => Ok(Redirect::to(&confirmation(
            &state,
            s,
            (&submission.requester, &submission.channel),
            &case.reference,
            false,
        ))
        .into_response()),
        Err(errors) => invalid(&state, &v, s, &input, &errors).await,
    }
}

/// Where the person goes once the request is made (or joined): a resident to
/// the request among their own, anyone else to a confirmation of the reference.
/// The confirmation's address carries a receipt only this server can make,
/// so it cannot be used to try references.
pub(crate) fn confirmation(
    state: &AppState,
    s: &Service,
    (requester, channel): (&Requester, &Channel),
    reference: &str,
    joined: bool,
) -> String {
    let receipt = state.csrf().receipt(reference);
    match (requester, channel, joined) {
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
    Query(q): Query<SentQuery>,
) -> Result<Markup, AppError> {
    let s = service(&state, &id)?;
    // Only whoever made the request is sent here with its receipt; without
    // it, trying references would tell which exist (and so who asked for a
    // permit or a bin, and when).
    if !state.csrf().is_receipt(&reference, &q.receipt) {
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
