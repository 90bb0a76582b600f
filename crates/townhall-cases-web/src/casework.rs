//! Staff working cases: the team's queue, one case (every view audited), and
//! moving it on: status with a public update, notes, assignment.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_cases::permissions::TeamCases;
use townhall_cases::{Audience, Case, CaseError, QueueFilter, StaffActor, Update, Work};
use townhall_identity::permissions::StaffArea;
use townhall_identity::StaffMember;
use townhall_types::Timestamp;

use crate::answers::answer_text;
use crate::requests::{photo_link, photo_response};
use townhall_services::Catalogue;
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::{Form, Query};
use townhall_web::layout::{banner, csrf, page};
use townhall_web::AppState;

fn status_label(services: &Catalogue, case: &Case) -> String {
    services
        .get(&case.service)
        .and_then(|s| s.workflow.status(&case.status))
        .map_or(case.status.clone(), |st| st.label.clone())
}

fn service_name(services: &Catalogue, id: &str) -> String {
    services.get(id).map_or(id.to_owned(), |s| s.name.clone())
}

/// The queue's filters, from the query string.
#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    closed: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    reference: Option<String>,
}

/// The team's queue, for the staff home page.
pub async fn queue(
    state: &AppState,
    v: &Visitor,
    me: &StaffMember,
    q: &QueueQuery,
) -> Result<Markup, AppError> {
    let services: &Catalogue = state.setting()?;
    let Some(team) = &me.team else {
        return Ok(
            html! { p class="empty" { "You are not in a team, so no cases are routed to you." } },
        );
    };
    v.require(Action::Read, &TeamCases { team: team.id })?;
    let filter = QueueFilter {
        closed: q.closed.is_some(),
        service: q.service.clone().filter(|s| !s.is_empty()),
        reference: q
            .reference
            .clone()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
    };
    let cases =
        townhall_cases::queue(state.store(), state.council().id, team.id, &filter, 200).await?;
    let now = Timestamp::now();
    Ok(html! {
        form method="get" action="/staff" class="filters" {
            div class="form-group" {
                label for="reference" { "Reference" }
                input class="input--width-10" type="text" id="reference" name="reference" value=(filter.reference.clone().unwrap_or_default());
            }
            div class="form-group" {
                label for="service" { "Service" }
                select id="service" name="service" {
                    option value="" { "All services" }
                    @for s in state.setting::<townhall_services::Catalogue>()?.all() {
                        option value=(s.id) selected[filter.service.as_deref() == Some(s.id.as_str())] { (s.name) }
                    }
                }
            }
            div class="checkboxes__item" {
                input type="checkbox" id="closed" name="closed" value="1" checked[filter.closed];
                label for="closed" { "Show closed cases instead" }
            }
            button class="button button--secondary" type="submit" { "Filter" }
        }
        @if cases.is_empty() {
            p class="empty" { (if filter.closed { "No closed cases match." } else { "No open cases match. Cases routed to your team will appear here, soonest due first." }) }
        } @else {
            div class="table-wrap" tabindex="0" {
                table {
                    caption { (cases.len()) " " (if filter.closed { "closed" } else { "open" }) " case" @if cases.len() != 1 { "s" } " for " (team.name) }
                    thead { tr { th scope="col" { "Reference" } th scope="col" { "Service" } th scope="col" { "Status" } th scope="col" { "Ward" } th scope="col" { "Due" } } }
                    tbody {
                        @for c in &cases {
                            tr {
                                td { a href={ "/staff/cases/" (c.reference) } { (c.reference) } }
                                td { (service_name(services, &c.service)) }
                                td { (status_label(services, c)) }
                                td { (c.location.as_ref().and_then(|l| l.ward.clone()).unwrap_or_default()) }
                                td {
                                    (c.due_at.human_date())
                                    @if c.overdue(now) { " " strong class="tag tag--red" { "Overdue" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The case, the member of staff allowed to `action` it, and the purpose
/// their look is recorded under: working on it for its team, or the data
/// protection officer's oversight.
async fn allowed(
    state: &AppState,
    v: &Visitor,
    reference: &str,
    action: Action,
) -> Result<(townhall_types::CaseId, StaffMember, &'static str), AppError> {
    // Who is not staff is refused before the reference is looked up, so the
    // answer cannot tell them which references exist.
    v.staff_for(Action::Read, &StaffArea)?;
    let (id, team) = townhall_cases::team_of(state.store(), state.council().id, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = v.staff_for(action, &TeamCases { team })?.clone();
    let purpose = if me.team.as_ref().is_some_and(|t| t.id == team) {
        "working on the request"
    } else {
        "data protection oversight"
    };
    Ok((id, me, purpose))
}

/// A photo sent with a case; the view is audited like the case's.
pub async fn photo(
    State(state): State<AppState>,
    v: Visitor,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (case, me, purpose) = allowed(&state, &v, &reference, Action::Read).await?;
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    let found = townhall_cases::attachments::read_as(
        state.store(),
        state.council().id,
        case,
        id,
        Actor::Staff(me.user.id.to_string()),
        &me.label(),
        purpose,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(photo_response(found))
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

pub async fn case(
    State(state): State<AppState>,
    v: Visitor,
    Path(reference): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let (id, me, purpose) = allowed(&state, &v, &reference, Action::Read).await?;
    Ok(
        case_page(&state, &v, (&me, purpose), id, done.done.as_deref(), None)
            .await?
            .into_response(),
    )
}

async fn case_page(
    state: &AppState,
    v: &Visitor,
    (me, purpose): (&StaffMember, &str),
    id: townhall_types::CaseId,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<Markup, AppError> {
    let services: &Catalogue = state.setting()?;
    let (case, history) = townhall_cases::open_as(
        state.store(),
        state.council().id,
        id,
        Actor::Staff(me.user.id.to_string()),
        &me.label(),
        purpose,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let service = state
        .setting::<townhall_services::Catalogue>()?
        .get(&case.service);
    let next: Vec<(&str, &str)> = service
        .and_then(|s| s.workflow.status(&case.status).map(|st| (s, st)))
        .map(|(s, st)| {
            st.next
                .iter()
                .filter_map(|n| s.workflow.status(n))
                .map(|n| (n.id.as_str(), n.label.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let now = Timestamp::now();
    let base = format!("/staff/cases/{}", case.reference);
    Ok(page(
        v,
        &state.council().name,
        &format!(
            "{} – {}",
            case.reference,
            service_name(services, &case.service)
        ),
        html! {
            @match done {
                Some("status") => (banner(true, "Status changed", html! { p { "The resident has been sent the update, if the status has a message." } })),
                Some("note") => (banner(true, "Note added", html! {})),
                Some("assigned") => (banner(true, "Assignment changed", html! {})),
            Some("merged") => (banner(true, "Merged", html! { p { "Its reporter now follows the other case." } })),
                _ => {}
            }
            @if let Some(e) = error {
                div class="error-summary" role="alert" tabindex="-1" { h2 { "There is a problem" } p { (e) } }
            }
            span class="caption" { (service_name(services, &case.service)) }
            h1 { (case.reference) }
            p class="warning-text" { "This view has been recorded in the audit log." }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "Status" } dd { (status_label(services, &case)) } }
                div class="summary-list__row" { dt { "Due" } dd { (case.due_at.human()) @if case.overdue(now) { " " strong class="tag tag--red" { "Overdue" } } } }
                div class="summary-list__row" { dt { "Why it came to this team" } dd { (case.route_reason) } }
                div class="summary-list__row" { dt { "Assigned to" } dd { (if case.assignee == Some(me.user.id) { "You" } else if case.assignee.is_some() { "Someone else in the team" } else { "Nobody yet" }) } }
                div class="summary-list__row" { dt { "Received" } dd { (case.created_at.human()) " (" (case.channel) ")" } }
                div class="summary-list__row" { dt { "Contact" } dd {
                    (case.contact.name.as_deref().unwrap_or("No name given")) br;
                    (case.contact.email.as_deref().unwrap_or("No email address")) br;
                    (case.contact.phone.as_deref().unwrap_or("No phone number"))
                } }
                @if let Some(l) = &case.location {
                    div class="summary-list__row" { dt { "Location" } dd {
                        (l.address.clone().unwrap_or_else(|| format!("{:.5}, {:.5}", l.latitude, l.longitude)))
                        br; "Ward " (l.ward.as_deref().unwrap_or("none")) ", parish " (l.parish.as_deref().unwrap_or("none"))
                    } }
                }
                @if let Some(s) = service {
                    @for q in &s.questions {
                        @if let Some(a) = case.answers.get(&q.id) {
                            @match q.kind {
                                townhall_services::QuestionKind::Location => {}
                                townhall_services::QuestionKind::Photo => {
                                    div class="summary-list__row" { dt { (q.short_name()) } dd { (photo_link(&base, a)) } }
                                }
                                _ => {
                                    div class="summary-list__row" { dt { (q.short_name()) } dd { (answer_text(q, a, None)) } }
                                }
                            }
                        }
                    }
                }
            }
            @if !next.is_empty() {
                h2 { "Move it on" }
                form method="post" action={ (base) "/status" } {
                    (csrf(v))
                    div class="form-group" {
                        label for="status" { "New status" }
                        select id="status" name="status" { @for (id, label) in &next { option value=(id) { (label) } } }
                    }
                    div class="form-group" {
                        label for="update" { "Update for the person who reported it (optional)" }
                        span class="hint" id="update-hint" { "They see this on their request and are sent it with the status's message. Nobody else sees it unless you publish it." }
                        textarea id="update" name="update" rows="3" aria-describedby="update-hint" {}
                    }
                    div class="checkboxes__item" {
                        input type="checkbox" id="publish" name="publish" value="1" aria-describedby="publish-hint";
                        label for="publish" { "Also publish this update" }
                        span class="hint" id="publish-hint" { "Anyone can read published updates on the public list of reports (Open311). Leave out names, contact details and anything else personal." }
                    }
                    button class="button" type="submit" { "Change status" }
                }
            }
            h2 { "Add a note" }
            form method="post" action={ (base) "/note" } {
                (csrf(v))
                div class="form-group" {
                    label for="note" { "Note" }
                    textarea id="note" name="note" rows="3" {}
                }
                div class="form-group" {
                    fieldset {
                        legend { "Who can read this note?" }
                        div class="radios__item" {
                            input type="radio" id="audience-staff" name="audience" value="staff" checked;
                            label for="audience-staff" { "Council staff only" }
                        }
                        div class="radios__item" {
                            input type="radio" id="audience-reporter" name="audience" value="reporter";
                            label for="audience-reporter" { "Staff and the person who reported it" }
                        }
                        div class="radios__item" {
                            input type="radio" id="audience-public" name="audience" value="public" aria-describedby="audience-public-hint";
                            label for="audience-public" { "Anyone: publish it" }
                            span class="hint" id="audience-public-hint" { "It appears on the public list of reports (Open311). Leave out names, contact details and anything else personal." }
                        }
                    }
                }
                button class="button button--secondary" type="submit" { "Add note" }
            }
            @if !case.closed {
            h2 { "Is it a duplicate?" }
            form method="post" action={ (base) "/merge" } {
                (csrf(v))
                div class="form-group" {
                    label for="into" { "Reference of the case it duplicates" }
                    span class="hint" id="into-hint" { "This case closes, and whoever reported it follows that case instead." }
                    input class="input--width-10" type="text" id="into" name="into" aria-describedby="into-hint";
                }
                button class="button button--secondary" type="submit" { "Merge" }
            }
        }
        form method="post" action={ (base) "/assign" } {
                (csrf(v))
                @if case.assignee == Some(me.user.id) {
                    button class="button button--secondary" type="submit" name="to" value="nobody" { "Unassign yourself" }
                } @else {
                    button class="button button--secondary" type="submit" name="to" value="me" { "Assign to yourself" }
                }
            }
            h2 { "History" }
            ol class="list" {
                @for e in &history {
                    li {
                        strong { (e.at.human()) } " – " (e.actor) ": "
                        @match (e.kind.as_str(), &e.status) {
                            ("created", _) => "received",
                            (_, Some(st)) => { "status changed to " (service.and_then(|s| s.workflow.status(st)).map_or(st.as_str(), |x| x.label.as_str())) }
                            ("note", _) => {
                                @match e.audience {
                                    Audience::Staff => "internal note",
                                    Audience::Reporter => "note to the person who reported it",
                                    Audience::Public => "published note",
                                }
                            }
                            _ => (e.kind),
                        }
                        @if let Some(n) = &e.note { br; (n) }
                    }
                }
            }
            p { a href="/staff" { "Back to your team's cases" } }
        },
    ))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    update: String,
    #[serde(default)]
    publish: Option<String>,
}

#[derive(Deserialize)]
pub struct NoteForm {
    note: String,
    #[serde(default)]
    audience: Audience,
}

#[derive(Deserialize)]
pub struct AssignForm {
    to: String,
}

#[derive(Deserialize)]
pub struct MergeForm {
    into: String,
}

/// The form a staff action came from.
pub enum Change {
    Status(StatusForm),
    Note(NoteForm),
    Assign(AssignForm),
    Merge(MergeForm),
}

async fn apply(
    state: &AppState,
    v: &Visitor,
    reference: &str,
    change: Change,
) -> Result<Response, AppError> {
    let (id, me, purpose) = allowed(state, v, reference, Action::Write).await?;
    let by = StaffActor {
        id: me.user.id,
        label: me.label(),
    };
    let me = &me;
    let refused = |reason: String| async move {
        let body = case_page(state, v, (me, purpose), id, None, Some(&reason)).await?;
        Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
    };
    let (done, work) = match &change {
        Change::Status(f) => (
            "status",
            Work::Status {
                to: &f.status,
                update: Some(Update {
                    text: &f.update,
                    published: f.publish.is_some(),
                }),
            },
        ),
        Change::Note(f) => (
            "note",
            Work::Note {
                text: &f.note,
                audience: f.audience,
            },
        ),
        Change::Merge(f) => {
            let into = f.into.trim().to_ascii_uppercase();
            match townhall_cases::team_of(state.store(), state.council().id, &into).await? {
                Some((into, team)) => {
                    v.require(Action::Write, &TeamCases { team })?;
                    ("merged", Work::Merge { into })
                }
                None => return refused(format!("there is no case {into}")).await,
            }
        }
        Change::Assign(f) => (
            "assigned",
            Work::Assign {
                to: (f.to == "me").then_some((me.user.id, me.user.display_name.as_str())),
            },
        ),
    };
    match townhall_cases::apply(
        state.store(),
        state.templates(),
        state.council(),
        state.setting::<townhall_services::Catalogue>()?,
        id,
        work,
        &by,
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/staff/cases/{reference}?done={done}")).into_response())
        }
        Err(CaseError::NotAllowed(reason)) => refused(reason).await,
        Err(CaseError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

pub async fn status(
    State(state): State<AppState>,
    v: Visitor,
    Path(reference): Path<String>,
    Form(f): Form<StatusForm>,
) -> Result<Response, AppError> {
    apply(&state, &v, &reference, Change::Status(f)).await
}

pub async fn note(
    State(state): State<AppState>,
    v: Visitor,
    Path(reference): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, AppError> {
    apply(&state, &v, &reference, Change::Note(f)).await
}

pub async fn assign(
    State(state): State<AppState>,
    v: Visitor,
    Path(reference): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, AppError> {
    apply(&state, &v, &reference, Change::Assign(f)).await
}

pub async fn merge(
    State(state): State<AppState>,
    v: Visitor,
    Path(reference): Path<String>,
    Form(f): Form<MergeForm>,
) -> Result<Response, AppError> {
    apply(&state, &v, &reference, Change::Merge(f)).await
}
