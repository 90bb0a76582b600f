//! The staff area.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use townhall_audit::permissions::AuditLog;
use townhall_audit::Actor;
use townhall_authz::{authorize, Action, Verdict};
use townhall_cases::Standing;
use townhall_identity::permissions::{Relationship, ResidentRecord, StaffArea};
use townhall_identity::staff::Role;
use townhall_identity::{break_glass, profiles, UserKind};
use townhall_types::{Timestamp, UserId};

use crate::account::{password_sign_in, sign_in_page, SignInForm};
use townhall_web::auth::Visitor;
use townhall_web::client::ClientAddr;
use townhall_web::error::AppError;
use townhall_web::form::{Form, Query};
use townhall_web::layout::{self, csrf, error_summary, page, Errors};
use townhall_web::AppState;

pub async fn sign_in_form(State(state): State<AppState>, v: Visitor) -> Markup {
    sign_in_page(
        &state,
        &v,
        &SignInForm::default(),
        &Errors::default(),
        UserKind::Staff,
    )
}

pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<SignInForm>,
) -> Result<Response, AppError> {
    password_sign_in(&state, &v, client, &f, UserKind::Staff).await
}

pub async fn resident(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let owner: UserId = id.parse().map_err(|_| AppError::NotFound)?;
    let me = v.staff_for(Action::Read, &StaffArea)?;
    let Standing {
        relationship,
        purpose,
    } = Standing::of(state.store(), state.council().id, me, owner).await?;
    let record = |relationship| ResidentRecord {
        owner,
        relationship,
    };
    if let Err(refused) = v.require(Action::Read, &record(relationship)) {
        let with_reason = authorize(
            &v.principal(),
            Action::Read,
            &record(Relationship::StatedReason),
        );
        return match with_reason {
            Verdict::Allow => Ok((
                StatusCode::FORBIDDEN,
                reason_page(&state, &v, owner, "", &Errors::default()),
            )
                .into_response()),
            _ => Err(refused),
        };
    }
    let council = state.council();
    let profile = profiles::read_as(
        state.store(),
        council.id,
        owner,
        Actor::Staff(me.user.id.to_string()),
        &me.label(),
        &purpose,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let may_act = v.require(Action::Write, &record(relationship)).is_ok();
    Ok(page(&v, &council.name, "Resident record", html! {
        h1 { (profile.given_name) " " (profile.family_name) }
        p class="warning-text" { "This view has been recorded in the audit log, as " strong { (purpose) } ". The resident can see it." }
        dl class="summary-list" {
            div class="summary-list__row" { dt { "Date of birth" } dd { (profile.date_of_birth.as_deref().map_or_else(|| "Not known".to_owned(), layout::long_date)) } }
            div class="summary-list__row" { dt { "Phone" } dd { (profile.phone.as_deref().unwrap_or("Not known")) } }
            div class="summary-list__row" { dt { "UPRN" } dd { (profile.uprn.as_deref().unwrap_or("Not known")) } }
        }
        @if may_act {
            h2 { "Make a request for this resident" }
            p { "If they cannot do it online, you can do it with them. It is recorded as made by you on their behalf." }
            ul class="list" {
                @for s in state.setting::<townhall_services::Catalogue>()?.all() {
                    li { a href={ "/services/" (s.id) "/start?for=" (owner) } { (s.name) } }
                }
            }
        }
    })
    .into_response())
}

/// The page asking why a member of staff needs to see a record their team
/// has no open case for.
fn reason_page(
    state: &AppState,
    v: &Visitor,
    owner: UserId,
    reason: &str,
    errors: &Errors,
) -> Markup {
    page(
        v,
        &state.council().name,
        &layout::title(errors, "Why do you need to see this record?"),
        html! {
            (error_summary(errors))
            h1 { "Why do you need to see this record?" }
            p { "This resident has no open request with your team. You can still see their record if you need to, for a reason you give here." }
            p { "Your reason is recorded with every look for the next 30 minutes, shown to the resident, and checked by the data protection officer." }
            form method="post" action={ "/staff/residents/" (owner) "/reason" } novalidate {
                (csrf(v))
                @let error = errors.get("reason");
                div class={ "form-group" @if error.is_some() { " form-group--error" } } {
                    label for="reason" { "Your reason" }
                    span class="hint" id="reason-hint" { "For example: the resident phoned about a missed bin and asked what we hold about them" }
                    @if let Some(e) = error { span class="error-message" id="reason-error" { span class="visually-hidden" { "Error: " } (e) } }
                    textarea id="reason" name="reason" rows="3" class=[error.map(|_| "input--error")]
                        aria-describedby={ "reason-hint" @if error.is_some() { " reason-error" } } { (reason) }
                }
                button class="button" type="submit" { "Continue" }
            }
            p { a href="/staff" { "Back to the staff home page" } }
        },
    )
}

#[derive(serde::Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// Records the reason, then shows the record.
pub async fn state_reason(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, AppError> {
    let owner: UserId = id.parse().map_err(|_| AppError::NotFound)?;
    let me = v.staff_for(
        Action::Read,
        &ResidentRecord {
            owner,
            relationship: Relationship::StatedReason,
        },
    )?;
    // Only a resident's record has a reason to be seen.
    townhall_identity::accounts::get(state.store(), state.council().id, owner)
        .await?
        .filter(|u| u.kind == UserKind::Resident)
        .ok_or(AppError::NotFound)?;
    let stated = break_glass::state_reason(
        state.store(),
        state.council().id,
        (me.user.id, &me.label()),
        owner,
        &f.reason,
        Timestamp::now(),
    )
    .await?;
    if let Err(e) = stated {
        let mut errors = Errors::default();
        errors.push("reason", e.to_string());
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            reason_page(&state, &v, owner, &f.reason, &errors),
        )
            .into_response());
    }
    Ok(Redirect::to(&format!("/staff/residents/{owner}")).into_response())
}

/// The data protection officer's list of reasons to review.
pub async fn break_glass_reviews(
    State(state): State<AppState>,
    v: Visitor,
) -> Result<Markup, AppError> {
    let me = v.staff_for(Action::Read, &AuditLog)?;
    let reads = break_glass::to_review(state.store(), state.council().id).await?;
    Ok(page(
        &v,
        &state.council().name,
        "Records seen for a stated reason",
        html! {
            h1 { "Records seen for a stated reason" }
            p { "Staff gave these reasons to see a resident's record their team had no open request for. Check each is a good reason, then mark it reviewed." }
            @if reads.is_empty() {
                p { "There is nothing to review." }
            } @else {
                table class="table" {
                    caption class="visually-hidden" { "Reasons to review" }
                    thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "Resident" } th scope="col" { "Reason" } th scope="col" { span class="visually-hidden" { "Action" } } } }
                    tbody {
                        @for r in &reads {
                            tr {
                                td { (r.at.human()) }
                                td { (r.staff_label) }
                                td { (r.resident) }
                                td { (r.reason) }
                                td {
                                    @if r.staff == me.user.id {
                                        "Another officer reviews your own"
                                    } @else {
                                        form method="post" action={ "/staff/break-glass/" (r.id) "/reviewed" } {
                                            (csrf(&v))
                                            button class="button button--secondary" type="submit" { "Mark reviewed" span class="visually-hidden" { " (" (r.staff_label) ", " (r.at.human()) ")" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// Marks one reason reviewed.
pub async fn break_glass_reviewed(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    // Reviewing is part of overseeing the audit log, which only the data
    // protection officer reads; it changes nothing in the log itself.
    let me = v.staff_for(Action::Read, &AuditLog)?;
    if !break_glass::mark_reviewed(
        state.store(),
        state.council().id,
        &id,
        (me.user.id, &me.label()),
        Timestamp::now(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/staff/break-glass").into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    name: String,
    #[serde(default, rename = "dob-day")]
    day: String,
    #[serde(default, rename = "dob-month")]
    month: String,
    #[serde(default, rename = "dob-year")]
    year: String,
    #[serde(default)]
    postcode: String,
}

/// Finding a resident by name, date of birth or postcode, among those the
/// member of staff may see (customer services: anyone; a team: those with an
/// open request with it). Each resident listed is recorded as seen.
pub async fn find_resident(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<FindQuery>,
) -> Result<Response, AppError> {
    let me = v.staff_for(Action::Read, &StaffArea)?;
    let council = state.council().id;
    let mut errors = Errors::default();
    let date_of_birth =
        match townhall_services::read_date([&q.day, &q.month, &q.year], "Date of birth") {
            Ok(date) => date.map(|d| d.to_string()),
            Err(e) => {
                errors.push("dob", e);
                None
            }
        };
    let uprns = match q.postcode.trim() {
        "" => None,
        typed => match townhall_places::normalise_postcode(typed) {
            Some(postcode) => Some(
                townhall_places::addresses_at(state.store(), council, &postcode)
                    .await?
                    .into_iter()
                    .map(|a| a.uprn)
                    .collect(),
            ),
            None => {
                errors.push("postcode", "Enter a full postcode");
                None
            }
        },
    };
    let asked = !q.name.trim().is_empty() || date_of_birth.is_some() || uprns.is_some();
    let (among, purpose) = match (me.role, &me.team) {
        (Role::CustomerServices, _) => (
            None,
            "finding the resident to help them (customer services)".to_owned(),
        ),
        (Role::Caseworker | Role::TeamLeader, Some(team)) => (
            Some(townhall_cases::residents_with_open_cases(state.store(), council, team.id).await?),
            format!("finding a resident with an open request with {}", team.name),
        ),
        _ => (Some(Vec::new()), String::new()),
    };
    let found = if asked && errors.is_empty() {
        profiles::find_as(
            state.store(),
            council,
            &profiles::Search {
                name: q.name.trim().to_owned(),
                date_of_birth,
                uprns,
            },
            among.as_deref(),
            (Actor::Staff(me.user.id.to_string()), &me.label(), &purpose),
        )
        .await?
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let date_error = errors.get("dob");
    let body = page(
        &v,
        &state.council().name,
        &layout::title(&errors, "Find a resident"),
        html! {
            (error_summary(&errors))
            h1 { "Find a resident" }
            @if me.role == Role::CustomerServices {
                p { "You can find any resident who has an account, to help them." }
            } @else {
                p { "You can find residents who have an open request with your team. To see someone else's record, open the link to it you were given (from a colleague, or a request another team holds) and give your reason: each look is recorded and reviewed." }
            }
            form method="get" action="/staff/residents" novalidate {
                (layout::Input { name: "name", label: "Name", kind: "text", value: &q.name, hint: Some("All or part of their first name and surname"), autocomplete: Some("off") }.render(&errors))
                div class={ "form-group" @if date_error.is_some() { " form-group--error" } } {
                    fieldset role="group" aria-describedby={ "dob-hint" @if date_error.is_some() { " dob-error" } } {
                        legend { "Date of birth" }
                        span class="hint" id="dob-hint" { "For example, 27 3 1984" }
                        @if let Some(e) = date_error { span class="error-message" id="dob-error" { span class="visually-hidden" { "Error: " } (e) } }
                        (layout::date_parts("dob", [&q.day, &q.month, &q.year], date_error.is_some(), None))
                    }
                }
                (layout::Input { name: "postcode", label: "Postcode of their home", kind: "text", value: &q.postcode, hint: None, autocomplete: Some("off") }.render(&errors))
                button class="button" type="submit" { "Find" }
            }
            @if asked && errors.is_empty() {
                h2 { (found.len()) " found" }
                @if !found.is_empty() {
                    p class="warning-text" { "Who you found has been recorded in the audit log, and they can see it." }
                    div class="table-wrap" tabindex="0" {
                        table {
                            caption class="visually-hidden" { "Residents found" }
                            thead { tr { th scope="col" { "Name" } th scope="col" { "Date of birth" } th scope="col" { "Email address" } } }
                            tbody {
                                @for f in &found {
                                    tr {
                                        td { a href={ "/staff/residents/" (f.id) } { (f.name) } }
                                        td { (f.date_of_birth.as_deref().map_or_else(|| "Not known".to_owned(), layout::long_date)) }
                                        td { (f.email) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    );
    Ok((status, body).into_response())
}
