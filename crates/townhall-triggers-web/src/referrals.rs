//! Referrals as their recipient works them: a partner organisation's staff
//! under `/partner/referrals`, a council team's under `/staff/referrals`.
//! The list names nobody; opening one is recorded in the audit log, which
//! the resident sees. A referral is accepted, or declined with a reason,
//! and an accepted one then has its outcome recorded. A partner reads the
//! person's details through the hub, under its agreement, as any read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_triggers::firing::{team_recipient, Firing, Status};
use townhall_triggers::permissions::Referrals;
use townhall_triggers::referral::{self, Answer, ReferralError, Worker};
use townhall_triggers::{Recipient, Triggers};
use townhall_types::text::sentence;
use townhall_types::{day, FiringId};
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Form;
use townhall_web::layout::{self, csrf, error_summary, page, Errors};
use townhall_web::AppState;

/// Whose referrals a page works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// A partner organisation's.
    Partner,
    /// A council team's.
    Team,
}

impl Side {
    fn base(self) -> &'static str {
        match self {
            Side::Partner => "/partner/referrals",
            Side::Team => "/staff/referrals",
        }
    }
}

/// The signed-in member of the recipient's staff, after the one check.
struct Working {
    actor: Actor,
    name: String,
    recipient: String,
}

impl Working {
    fn worker(&self) -> Worker<'_> {
        Worker {
            actor: self.actor.clone(),
            name: &self.name,
            recipient: &self.recipient,
        }
    }
}

async fn working(
    state: &AppState,
    v: &Visitor,
    side: Side,
    action: Action,
) -> Result<Working, AppError> {
    match side {
        Side::Partner => {
            let me = v.partner_for(action, |p| Referrals { to: p })?;
            let organisation =
                townhall_exchange::partners::get(state.store(), state.council().id, &me.partner)
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .ok_or(AppError::Forbidden)?;
            Ok(Working {
                actor: Actor::PartnerStaff(me.user.id.to_string()),
                name: format!("{}, {}", me.user.display_name, organisation.name),
                recipient: me.partner.clone(),
            })
        }
        Side::Team => {
            let to = v
                .staff
                .as_ref()
                .and_then(|s| s.team.as_ref())
                .map_or_else(|| "team:".to_owned(), |t| team_recipient(t.id));
            let me = v.staff_for(action, &Referrals { to: &to })?;
            Ok(Working {
                actor: Actor::Staff(me.user.id.to_string()),
                name: me.label(),
                recipient: to,
            })
        }
    }
}

fn failed(e: ReferralError) -> AppError {
    match e {
        ReferralError::NotFound => AppError::NotFound,
        ReferralError::Store(e) => e.into(),
        other => AppError::Conflict(other.to_string()),
    }
}

fn firing_id(id: &str) -> Result<FiringId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// `GET /partner/referrals`.
pub async fn partner_list(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    list(&state, &v, Side::Partner).await
}

/// `GET /staff/referrals`.
pub async fn team_list(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    list(&state, &v, Side::Team).await
}

async fn list(state: &AppState, v: &Visitor, side: Side) -> Result<Markup, AppError> {
    let me = working(state, v, side, Action::Read).await?;
    let all = referral::list(state.store(), state.council().id, &me.worker()).await?;
    let waiting = all.iter().filter(|f| f.status == Status::Referred).count();
    Ok(page(
        v,
        &state.council().name,
        "Referrals",
        html! {
            h1 { "Referrals" }
            p { "People the council's services noticed may need help, and who agreed to be referred to you. Each one you open is recorded, and the resident can see who looked." }
            p { strong { (waiting) } " waiting for an answer." }
            @if all.is_empty() {
                (layout::empty("No referrals yet."))
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Referrals" {
                    table {
                        caption class="visually-hidden" { "Referrals, newest first" }
                        thead { tr {
                            th scope="col" { "Sent" }
                            th scope="col" { "Why" }
                            th scope="col" { "Status" }
                        } }
                        tbody {
                            @for f in &all {
                                tr {
                                    td { a href={ (side.base()) "/" (f.id) } { (f.fired_at.human_date()) } }
                                    td { (reason(f)) }
                                    td { (status(f)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// What the recipient is told of why: what was seen at the home.
fn reason(f: &Firing) -> String {
    f.checks
        .iter()
        .find(|c| c.fact == "signal")
        .map(|c| sentence(&c.to_staff))
        .unwrap_or_default()
}

fn status(f: &Firing) -> &'static str {
    match (f.status, &f.outcome) {
        (Status::Accepted, Some(_)) => "Done",
        (Status::Accepted, None) => "Accepted",
        (Status::Declined, _) => "Declined",
        (Status::Referred, _) => "Waiting for an answer",
        (Status::Recorded | Status::Refused, _) => "Not sent",
        (Status::Withdrawn, _) => "Withdrawn: the resident said no",
    }
}

/// `GET /partner/referrals/{id}`.
pub async fn partner_one(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Markup, AppError> {
    one(&state, &v, Side::Partner, &id, &Errors::default()).await
}

/// `GET /staff/referrals/{id}`.
pub async fn team_one(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Markup, AppError> {
    one(&state, &v, Side::Team, &id, &Errors::default()).await
}

async fn one(
    state: &AppState,
    v: &Visitor,
    side: Side,
    id: &str,
    errors: &Errors,
) -> Result<Markup, AppError> {
    let me = working(state, v, side, Action::Read).await?;
    let f = referral::open(
        state.store(),
        state.council().id,
        firing_id(id)?,
        &me.worker(),
    )
    .await
    .map_err(failed)?;
    let purpose = agreement_purpose(state, &f.rule);
    let action = |what: &str| format!("{}/{}/{what}", side.base(), f.id);
    Ok(page(
        v,
        &state.council().name,
        &layout::title(errors, "Referral"),
        html! {
            (error_summary(errors))
            span class="caption" { "From " (state.council().name) }
            h1 { "Referral" }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "Sent" } dd { (f.fired_at.human()) } }
                div class="summary-list__row" { dt { "Why" } dd { (reason(&f)) } }
                div class="summary-list__row" { dt { "Their reference" } dd { code { (f.person.map(|p| p.to_string()).unwrap_or_default()) } } }
                div class="summary-list__row" { dt { "Status" } dd { (status(&f)) } }
                @if let Some(a) = &f.answered {
                    div class="summary-list__row" { dt { "Answered by" } dd { (a.by) ", " (a.at.human()) } }
                    @if let Some(note) = &a.note { div class="summary-list__row" { dt { "Reason" } dd { (note) } } }
                }
                @if let Some((outcome, at)) = &f.outcome {
                    div class="summary-list__row" { dt { "Outcome" } dd { (outcome) " (" (day::long(at.uk_date())) ")" } }
                }
            }
            @if let (Side::Partner, Some(person), Some(purpose)) = (side, f.person, purpose) {
                form method="post" action={ "/partner/people/" (person) "/person" } {
                    (csrf(v))
                    input type="hidden" name="purpose" value=(purpose);
                    button class="button button--secondary" type="submit" { "See their contact details" }
                }
                p class="hint" { "Read through the council's data-exchange hub under your agreement; recorded under your name." }
            }
            @if f.status == Status::Referred {
                form method="post" action=(action("answer")) novalidate {
                    (csrf(v))
                    @let error = errors.get("reason");
                    fieldset class="fieldset" {
                        legend { h2 { "Will you take this referral on?" } }
                        div class="radios" {
                            div class="radios__item" {
                                input type="radio" id="decision" name="decision" value="accept" checked;
                                label for="decision" { "Yes, accept it" }
                            }
                            div class="radios__item" {
                                input type="radio" id="decision-decline" name="decision" value="decline";
                                label for="decision-decline" { "No, decline it" }
                            }
                        }
                    }
                    div class={ "form-group" @if error.is_some() { " form-group--error" } } {
                        label for="reason" { "If you decline it, say why" }
                        span class="hint" id="reason-hint" { "The council and the resident will see this." }
                        @if let Some(e) = error { span class="error-message" id="reason-error" { span class="visually-hidden" { "Error: " } (e) } }
                        textarea id="reason" name="reason" rows="3" aria-describedby={ "reason-hint" @if error.is_some() { " reason-error" } } {}
                    }
                    button class="button" type="submit" { "Send answer" }
                }
            }
            @if f.status == Status::Accepted && f.outcome.is_none() {
                form method="post" action=(action("outcome")) novalidate {
                    (csrf(v))
                    @let error = errors.get("outcome");
                    div class={ "form-group" @if error.is_some() { " form-group--error" } } {
                        label for="outcome" { h2 { "What happened?" } }
                        span class="hint" id="outcome-hint" { "For example, “Called, all well”. The resident will see this." }
                        @if let Some(e) = error { span class="error-message" id="outcome-error" { span class="visually-hidden" { "Error: " } (e) } }
                        textarea id="outcome" name="outcome" rows="3" aria-describedby={ "outcome-hint" @if error.is_some() { " outcome-error" } } {}
                    }
                    button class="button" type="submit" { "Record the outcome" }
                }
            }
            p { a href=(side.base()) { "All referrals" } }
        },
    ))
}

/// The purpose of the agreement `rule` refers under, for the hub's read.
fn agreement_purpose(state: &AppState, rule: &str) -> Option<String> {
    let rules = state.settings().get::<Triggers>()?;
    let Recipient::Partner { agreement, .. } = &rules.0.iter().find(|r| r.id == rule)?.recipient
    else {
        return None;
    };
    let agreements = state.settings().get::<townhall_exchange::Agreements>()?;
    agreements
        .0
        .iter()
        .find(|a| a.id == *agreement)
        .map(|a| a.purpose.clone())
}

/// An answer as posted.
#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// An outcome as posted.
#[derive(Deserialize, Default)]
pub struct OutcomeForm {
    #[serde(default)]
    outcome: String,
}

/// `POST /partner/referrals/{id}/answer`.
pub async fn partner_answer(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    answer(&state, &v, Side::Partner, &id, form).await
}

/// `POST /staff/referrals/{id}/answer`.
pub async fn team_answer(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    answer(&state, &v, Side::Team, &id, form).await
}

async fn answer(
    state: &AppState,
    v: &Visitor,
    side: Side,
    id: &str,
    form: AnswerForm,
) -> Result<Response, AppError> {
    let me = working(state, v, side, Action::Write).await?;
    let answer = match form.decision.as_str() {
        "accept" => Answer::Accept,
        "decline" => Answer::Decline(form.reason),
        _ => {
            return Err(AppError::BadRequest(
                "Choose whether to accept the referral".into(),
            ))
        }
    };
    let done = referral::answer(
        state.store(),
        state.council().id,
        firing_id(id)?,
        &me.worker(),
        answer,
    )
    .await;
    settled(state, v, side, id, done, "reason").await
}

/// `POST /partner/referrals/{id}/outcome`.
pub async fn partner_outcome(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    outcome(&state, &v, Side::Partner, &id, form).await
}

/// `POST /staff/referrals/{id}/outcome`.
pub async fn team_outcome(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    outcome(&state, &v, Side::Team, &id, form).await
}

async fn outcome(
    state: &AppState,
    v: &Visitor,
    side: Side,
    id: &str,
    form: OutcomeForm,
) -> Result<Response, AppError> {
    let me = working(state, v, side, Action::Write).await?;
    let done = referral::record_outcome(
        state.store(),
        state.council().id,
        firing_id(id)?,
        &me.worker(),
        &form.outcome,
    )
    .await;
    settled(state, v, side, id, done, "outcome").await
}

/// Back to the referral when it worked; the page again with the mistake
/// against `field` when the text was wrong.
async fn settled(
    state: &AppState,
    v: &Visitor,
    side: Side,
    id: &str,
    done: Result<Firing, ReferralError>,
    field: &str,
) -> Result<Response, AppError> {
    match done {
        Ok(f) => Ok(Redirect::to(&format!("{}/{}", side.base(), f.id)).into_response()),
        Err(e @ (ReferralError::Empty(_) | ReferralError::BadText(_))) => {
            let mut errors = Errors::default();
            errors.push(field, e.to_string());
            let page = one(state, v, side, id, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(failed(e)),
    }
}
