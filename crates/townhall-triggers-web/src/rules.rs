//! The council's trigger rules, for its data protection officer and
//! administrators: each rule in words with its firings counted by what
//! became of them, its latest firings, and a dry run over a past period,
//! which says whom it would have referred and whom not, and why.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_triggers::dry_run::{dry_run as replay, DryRun, DryRunError, MOST_DAYS};
use townhall_triggers::evaluate::{Evaluator, Sources};
use townhall_triggers::firing::{self, Status};
use townhall_triggers::permissions::TriggerRules;
use townhall_triggers::said::Check;
use townhall_triggers::{Fact, Recipient, Rule, Signal, Triggers, Window};
use townhall_types::{day, Timestamp};
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Form;
use townhall_web::layout::{self, csrf, date_parts, error_summary, page, Errors};
use townhall_web::AppState;

/// How many of a rule's firings its page lists.
const LATEST: i64 = 50;

fn rules(state: &AppState) -> &[Rule] {
    state
        .settings()
        .get::<Triggers>()
        .map_or(&[], |t| t.0.as_slice())
}

fn rule<'a>(state: &'a AppState, id: &str) -> Result<&'a Rule, AppError> {
    rules(state)
        .iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)
}

/// `GET /staff/triggers`.
pub async fn list(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    v.staff_for(Action::Read, &TriggerRules)?;
    let counts = firing::counts(state.store(), state.council().id).await?;
    let count = |rule: &str, status: Status| {
        counts
            .iter()
            .find(|(r, s, _)| r == rule && *s == status)
            .map_or(0, |(_, _, n)| *n)
    };
    Ok(page(
        &v,
        &state.council().name,
        "Trigger rules",
        html! {
            h1 { "Trigger rules" }
            p { "Each rule watches what happens at residents' homes and, when the facts about a person hold and they agreed, refers them to a partner or a team. Rules are files in the council's configuration (triggers/*.toml); try one in a dry run before it goes live." }
            @if rules(&state).is_empty() {
                (layout::empty("The council has no trigger rules."))
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Trigger rules" {
                    table {
                        caption class="visually-hidden" { "Trigger rules and their firings" }
                        thead { tr {
                            th scope="col" { "Rule" }
                            th scope="col" { "Live" }
                            th scope="col" class="numeric" { "Referred" }
                            th scope="col" class="numeric" { "Accepted" }
                            th scope="col" class="numeric" { "Declined" }
                            th scope="col" class="numeric" { "Not sent or withdrawn" }
                        } }
                        tbody {
                            @for r in rules(&state) {
                                tr {
                                    td { a href={ "/staff/triggers/" (r.id) } { (r.name) } }
                                    td { (if r.live { "Yes" } else { "No, dry runs only" }) }
                                    td class="numeric" { (count(&r.id, Status::Referred)) }
                                    td class="numeric" { (count(&r.id, Status::Accepted)) }
                                    td class="numeric" { (count(&r.id, Status::Declined)) }
                                    td class="numeric" { (count(&r.id, Status::Recorded) + count(&r.id, Status::Refused) + count(&r.id, Status::Withdrawn)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// `GET /staff/triggers/{rule}`.
pub async fn one(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    v.staff_for(Action::Read, &TriggerRules)?;
    let r = rule(&state, &id)?;
    rule_page(
        &state,
        &v,
        r,
        &DryRunForm::default(),
        &Errors::default(),
        None,
    )
    .await
}

/// A dry run's period as typed.
#[derive(Deserialize, Default)]
pub struct DryRunForm {
    #[serde(default, rename = "from-day")]
    from_day: String,
    #[serde(default, rename = "from-month")]
    from_month: String,
    #[serde(default, rename = "from-year")]
    from_year: String,
    #[serde(default, rename = "to-day")]
    to_day: String,
    #[serde(default, rename = "to-month")]
    to_month: String,
    #[serde(default, rename = "to-year")]
    to_year: String,
}

impl DryRunForm {
    fn period(&self) -> Result<(time::Date, time::Date), Errors> {
        let mut errors = Errors::default();
        let mut read =
            |field: &str, parts: [&str; 3], name: &str| match townhall_services::read_date(
                parts, name,
            ) {
                Ok(Some(d)) => Some(d),
                Ok(None) => {
                    errors.push(field, format!("Enter the {}", name.to_lowercase()));
                    None
                }
                Err(why) => {
                    errors.push(field, why);
                    None
                }
            };
        let from = read(
            "from",
            [&self.from_day, &self.from_month, &self.from_year].map(String::as_str),
            "First day",
        );
        let to = read(
            "to",
            [&self.to_day, &self.to_month, &self.to_year].map(String::as_str),
            "Last day",
        );
        match (from, to) {
            (Some(from), Some(to)) if to < from => {
                errors.push(
                    "to",
                    "The last day must be the same as or after the first day",
                );
                Err(errors)
            }
            (Some(from), Some(to)) if errors.is_empty() => Ok((from, to)),
            _ => Err(errors),
        }
    }
}

/// `POST /staff/triggers/{rule}/dry-run`.
pub async fn dry_run(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<DryRunForm>,
) -> Result<Response, AppError> {
    let me = v.staff_for(Action::Write, &TriggerRules)?;
    let r = rule(&state, &id)?;
    let (from, to) = match form.period() {
        Ok(period) => period,
        Err(errors) => {
            let mut page = rule_page(&state, &v, r, &form, &errors, None).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(page);
        }
    };
    let Some(collections) = state.settings().get::<townhall_waste::Collections>() else {
        return Err(AppError::Conflict(
            "The council keeps no collection rounds here, so there is nothing to replay".into(),
        ));
    };
    let src = Sources {
        store: state.store(),
        council: state.council().id,
        consent: state.setting()?,
        index: state.setting::<townhall_index::live::LiveIndex>()?.policy(),
        collections,
        agreements: state.setting()?,
    };
    let by = Evaluator {
        actor: Actor::Staff(me.user.id.to_string()),
        label: me.label(),
        purpose: "a dry run of the trigger rule".into(),
    };
    match replay(&src, r, (from, to), &by).await {
        Ok(run) => rule_page(&state, &v, r, &form, &Errors::default(), Some(&run)).await,
        Err(DryRunError::Store(e)) => Err(e.into()),
        Err(e) => {
            let mut errors = Errors::default();
            let why = match e {
                DryRunError::TooLong(_) => {
                    format!("Choose a period of at most {MOST_DAYS} days")
                }
                DryRunError::Future(_) => "The last day must be today or in the past".to_owned(),
                _ => "The last day must be the same as or after the first day".to_owned(),
            };
            errors.push("to", why);
            let mut page = rule_page(&state, &v, r, &form, &errors, None).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
    }
}

async fn rule_page(
    state: &AppState,
    v: &Visitor,
    r: &Rule,
    form: &DryRunForm,
    errors: &Errors,
    run: Option<&DryRun>,
) -> Result<Response, AppError> {
    let firings = firing::of_rule(state.store(), state.council().id, &r.id, LATEST).await?;
    let today = Timestamp::now().uk_date();
    Ok(page(
        v,
        &state.council().name,
        &layout::title(errors, &r.name),
        html! {
            (error_summary(errors))
            span class="caption" { "Trigger rule " code { (r.id) } }
            h1 { (r.name) }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "When" } dd { (when(r)) } }
                div class="summary-list__row" { dt { "And" } dd {
                    @if r.facts.is_empty() { "Nothing more" }
                    ul class="list" { @for f in &r.facts { li { (fact(f)) } } }
                } }
                div class="summary-list__row" { dt { "Then" } dd { (then(r)) } }
                div class="summary-list__row" { dt { "Live" } dd { (if r.live { "Yes: it refers people" } else { "No: it records what it would do, and is tried in dry runs" }) } }
            }
            h2 { "Dry run" }
            p { "Replay the collection vehicles' reports of a past period, as the rule would have read them each day, with each person's consent as it stands now. Nothing is sent or recorded, but each look at a person is, under your name." }
            form method="post" action={ "/staff/triggers/" (r.id) "/dry-run" } novalidate {
                (csrf(v))
                @for (field, legend, values) in [
                    ("from", "First day", [&form.from_day, &form.from_month, &form.from_year]),
                    ("to", "Last day", [&form.to_day, &form.to_month, &form.to_year]),
                ] {
                    @let error = errors.get(field);
                    div class={ "form-group" @if error.is_some() { " form-group--error" } } {
                        fieldset class="fieldset" role="group" aria-describedby={ (field) "-hint" } {
                            legend { (legend) }
                            span class="hint" id={ (field) "-hint" } { "For example, " (today.day()) " " (u8::from(today.month())) " " (today.year()) }
                            @if let Some(e) = error { span class="error-message" id={ (field) "-error" } { span class="visually-hidden" { "Error: " } (e) } }
                            (date_parts(field, values.map(String::as_str), error.is_some(), None))
                        }
                    }
                }
                button class="button" type="submit" { "Run" }
            }
            @if let Some(run) = run { (dry_run_result(run)) }
            h2 { "Latest firings" }
            p { "Whom each firing was about, and why, is for the recipient and the resident; here, what came of it." }
            @if firings.is_empty() {
                (layout::empty("This rule has not fired."))
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Latest firings" {
                    table {
                        caption class="visually-hidden" { "The rule's latest firings, newest first" }
                        thead { tr {
                            th scope="col" { "Fired" }
                            th scope="col" { "To" }
                            th scope="col" { "Status" }
                        } }
                        tbody {
                            @for f in &firings {
                                tr {
                                    td { (f.fired_at.human()) }
                                    td { (f.recipient_name) }
                                    td {
                                        (status(f.status))
                                        @if let Some(why) = &f.refusal { " (" code { (why) } ")" }
                                        @if let Some((outcome, _)) = &f.outcome { br; span class="hint" { (outcome) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { a href="/staff/triggers" { "All rules" } }
        },
    )
    .into_response())
}

fn dry_run_result(run: &DryRun) -> Markup {
    html! {
        div class="notification-banner" role="region" aria-labelledby="dry-run-title" {
            h2 class="notification-banner__title" id="dry-run-title" { "Dry run" }
            div class="notification-banner__content" {
                p {
                    "From " (day::long(run.from)) " to " (day::long(run.to)) ": "
                    (run.bins) " tagged bins reported; the rule would have referred "
                    strong { (run.firings()) } " "
                    (if run.firings() == 1 { "person" } else { "people" }) "."
                }
            }
        }
        @if !run.found.is_empty() {
            div class="table-wrap" tabindex="0" role="region" aria-label="Whom the dry run found" {
                table {
                    caption class="visually-hidden" { "Whom the rule found, by day" }
                    thead { tr {
                        th scope="col" { "Day" }
                        th scope="col" { "Who" }
                        th scope="col" { "Why" }
                        th scope="col" { "Would refer" }
                    } }
                    tbody {
                        @for f in &run.found {
                            tr {
                                td { (day::long(f.day)) }
                                td {
                                    @match &f.who {
                                        Some((address, name)) => {
                                            (name.as_deref().unwrap_or("Not in the resident index")) br;
                                            span class="hint" { (address) }
                                        }
                                        None => "A resident who has not said yes",
                                    }
                                }
                                td { (f.signal.to_staff) br; (checks(&f.verdict.checks)) }
                                td { (if f.fires() { "Yes" } else { "No" }) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn checks(checks: &[Check]) -> Markup {
    html! {
        ul class="list" {
            @for c in checks {
                li { (if c.met { "✓ " } else { "✗ " }) (c.to_staff) }
            }
        }
    }
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Recorded => "Recorded (not live)",
        Status::Referred => "Referred",
        Status::Refused => "Refused by the hub",
        Status::Accepted => "Accepted",
        Status::Declined => "Declined",
        Status::Withdrawn => "Withdrawn: the resident said no",
    }
}

fn when(r: &Rule) -> String {
    let what = match r.signal {
        Signal::BinNotPresented => "the bin is not put out",
        Signal::BinLifted => "the bin is emptied",
    };
    match r.window {
        Window::ConsecutiveCollections { times } => {
            format!("{what} at {times} scheduled collections in a row")
        }
        Window::WithinDays { times, days } => format!("{what} {times} times within {days} days"),
        Window::AbsentForDays { days } => match r.signal {
            Signal::BinLifted => format!("the bin is not emptied for {days} days"),
            Signal::BinNotPresented => format!("the bin is put out every time for {days} days"),
        },
    }
}

fn fact(f: &Fact) -> String {
    match f {
        Fact::AgeAtLeast(years) => format!("they are {years} or over"),
        Fact::Record { system, field, is } => {
            format!(
                "{system}: {} is {}",
                field.replace('_', " "),
                is.join(" or ")
            )
        }
        Fact::Consent(purpose) => format!("they said yes to “{purpose}”"),
    }
}

fn then(r: &Rule) -> String {
    let to = match &r.recipient {
        Recipient::Partner { partner, agreement } => {
            format!("refer them to {partner} under the agreement {agreement}")
        }
        Recipient::Team(team) => format!("refer them to the team {team}"),
    };
    format!("{to}; not again within {} days", r.not_again_within_days)
}
