//! Residents' data-sharing choices: tick boxes, time limits, history and a receipt.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use time::{OffsetDateTime, Time};
use townhall_authz::Action;
use townhall_consent::{decide, Change, Choice, ConsentDefault, DecisionRequest, Method, Purpose};
use townhall_types::Timestamp;

use townhall_types::text::sentence;
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Form;
use townhall_web::layout::{self, csrf, error_summary, page, Errors};
use townhall_web::AppState;

struct Row<'a> {
    purpose: &'a Purpose,
    recipient: &'a str,
    allowed: bool,
    reason: String,
}

async fn current<'a>(
    state: &'a AppState,
    user: townhall_types::UserId,
) -> Result<Vec<Row<'a>>, AppError> {
    let mut rows = Vec::new();
    for p in &state.setting::<townhall_consent::Policy>()?.purposes {
        for r in &p.recipients {
            let d = decide(
                state.store(),
                state.setting::<townhall_consent::Policy>()?,
                &DecisionRequest {
                    council: state.council().id,
                    resident: Some(user),
                    recipient: r,
                    purpose: &p.id,
                    fields: &[],
                    at: Timestamp::now(),
                },
            )
            .await?;
            rows.push(Row {
                purpose: p,
                recipient: r,
                allowed: d.allow,
                reason: d.to_resident,
            });
        }
    }
    Ok(rows)
}

fn key(p: &str, r: &str) -> String {
    format!("{p}--{r}")
}

pub async fn overview(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let user = v.resident(Action::Read)?;
    let rows = current(&state, user.id).await?;
    let history = townhall_consent::history(state.store(), state.council().id, user.id).await?;
    let policy = state.setting::<townhall_consent::Policy>()?;
    Ok(page(
        &v,
        &state.council().name,
        "Choose who can see your information",
        html! {
            h1 { "Choose who can see your information" }
            p { "Tick the boxes for the ways you are happy for your information to be shared. You can change your mind at any time." }
            form method="post" action="/account/consent" {
                (csrf(&v))
                div class="form-group" {
                    fieldset aria-describedby="consent-hint" {
                        legend { "I agree to my information being used for:" }
                        span class="hint" id="consent-hint" { "Select all that apply." }
                        @for row in rows.iter().filter(|r| r.purpose.default != ConsentDefault::RequiredByLaw) {
                            @let id = key(&row.purpose.id, row.recipient);
                            div class="checkboxes__item" {
                                input type="checkbox" id=(id) name="share" value=(id) checked[row.allowed] aria-describedby={ (id) "-desc" };
                                div {
                                    label for=(id) {
                                        (row.purpose.title)
                                        @if row.purpose.recipients.len() > 1 { " — " (policy.recipient(row.recipient).map(|r| r.name.as_str()).unwrap_or(row.recipient)) }
                                    }
                                    span class="hint" id={ (id) "-desc" } {
                                        (sentence(&row.purpose.description)) " "
                                        (row.purpose.default.to_residents()) ". "
                                        (row.reason) "."
                                    }
                                    p class="checkboxes__link" {
                                        a href={ "/account/consent/" (row.purpose.id) } { "Set a time limit" span class="visually-hidden" { " for " (row.purpose.title) } }
                                    }
                                }
                            }
                        }
                    }
                }
                button class="button" type="submit" { "Save my choices" }
            }
            @let required: Vec<&Row> = rows.iter().filter(|r| r.purpose.default == ConsentDefault::RequiredByLaw).collect();
            @if !required.is_empty() {
                h2 { "Sharing the law requires" }
                p { "You cannot say no to these, but you have the right to know about them." }
                @for row in required {
                    h3 { (row.purpose.title) }
                    p { (row.purpose.description) }
                    div class="inset-text" { (row.purpose.reason.as_deref().unwrap_or_default()) }
                }
            }
            h2 { "Your choices so far" }
            @if history.is_empty() {
                p class="empty" { "You have not made any choices yet." }
            } @else {
                ul {
                    @for h in &history {
                        li {
                            (h.recorded_at.human()) ": "
                            (match h.choice { Choice::Granted => "yes to ", Choice::Withdrawn => "no to " })
                            (policy.purpose(&h.purpose).map(|p| p.title.as_str()).unwrap_or(&h.purpose))
                            @if let Some(u) = h.valid_until { " until " (u.human_date()) }
                            @if h.method == Method::Assisted { " (recorded by council staff for you)" }
                        }
                    }
                }
            }
            p { a href="/account/consent/receipt.json" download="consent-receipt.json" { "Download a consent receipt (JSON)" } }
            p { a href="/privacy" { "Read how the council uses your information" } }
        },
    ))
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    share: Vec<String>,
}

pub async fn save_overview(
    State(state): State<AppState>,
    v: Visitor,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let user = v.resident(Action::Write)?;
    // A repeated field (`share=a&share=b`) is read by hand: serde's URL form decoding
    // does not collect repeats into a list.
    let form = ShareForm {
        share: url::form_urlencoded::parse(&body)
            .filter(|(k, _)| k == "share")
            .map(|(_, v)| v.into_owned())
            .collect(),
    };
    let rows = current(&state, user.id).await?;
    let known: Vec<String> = rows
        .iter()
        .map(|r| key(&r.purpose.id, r.recipient))
        .collect();
    if let Some(bad) = form.share.iter().find(|s| !known.contains(s)) {
        return Err(AppError::BadRequest(format!(
            "'{bad}' is not one of the choices on the page. Go back and try again"
        )));
    }
    let changes: Vec<Change> = rows
        .iter()
        .filter(|r| r.purpose.default != ConsentDefault::RequiredByLaw)
        .filter_map(|row| {
            let wanted = form.share.contains(&key(&row.purpose.id, row.recipient));
            (wanted != row.allowed).then_some(Change {
                purpose: &row.purpose.id,
                recipient: row.recipient,
                choice: if wanted {
                    Choice::Granted
                } else {
                    Choice::Withdrawn
                },
                valid_until: None,
            })
        })
        .collect();
    record_own(&state, user, &changes).await?;
    Ok(Redirect::to("/account/consent").into_response())
}

/// Records the resident's own changes, made online.
async fn record_own(
    state: &AppState,
    user: &townhall_identity::User,
    changes: &[Change<'_>],
) -> Result<(), AppError> {
    townhall_consent::record_all(
        state.store(),
        state.council().id,
        user.id,
        changes,
        Method::Web,
        &user.id.to_string(),
    )
    .await?;
    Ok(())
}

pub async fn purpose_form(
    State(state): State<AppState>,
    v: Visitor,
    Path(purpose): Path<String>,
) -> Result<Markup, AppError> {
    v.resident(Action::Read)?;
    let p = state
        .setting::<townhall_consent::Policy>()?
        .purpose(&purpose)
        .ok_or(AppError::NotFound)?;
    Ok(purpose_page(
        &state,
        &v,
        p,
        &UntilForm::default(),
        &Errors::default(),
    ))
}

#[derive(Deserialize, Default)]
pub struct UntilForm {
    #[serde(default)]
    choice: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    year: String,
}

fn purpose_page(
    state: &AppState,
    v: &Visitor,
    p: &Purpose,
    f: &UntilForm,
    errors: &Errors,
) -> Markup {
    let date_error = errors.get("until-day");
    page(
        v,
        &state.council().name,
        &layout::title(errors, &p.title),
        html! {
            (error_summary(errors))
            h1 { (p.title) }
            p { (p.description) }
            @if p.default == ConsentDefault::RequiredByLaw {
                div class="inset-text" { (p.reason.as_deref().unwrap_or_default()) }
            } @else {
                form method="post" action={ "/account/consent/" (p.id) } novalidate {
                    (csrf(v))
                    div class={ "form-group" @if errors.get("choice").is_some() { " form-group--error" } } {
                        fieldset {
                            legend { "Do you agree to your information being used for this?" }
                            @if let Some(e) = errors.get("choice") { span class="error-message" id="choice-error" { (e) } }
                            div class="radios__item" { input type="radio" id="choice" name="choice" value="yes" checked[f.choice == "yes"]; label for="choice" { "Yes, until the date below" } }
                            div class="radios__item" { input type="radio" id="choice-no" name="choice" value="no" checked[f.choice == "no"]; label for="choice-no" { "No" } }
                        }
                    }
                    div class={ "form-group" @if date_error.is_some() { " form-group--error" } } {
                        fieldset role="group" aria-describedby="until-hint" {
                            legend { "Until when?" }
                            span class="hint" id="until-hint" { "For example, 1 6 2027. Leave blank to agree until you change your mind." }
                            @if let Some(e) = date_error { span class="error-message" id="until-error" { span class="visually-hidden" { "Error: " } (e) } }
                            div class="date-input" {
                                div class="form-group" { label for="until-day" { "Day" } input class={ "input--width-2" @if date_error.is_some() { " input--error" } } type="text" inputmode="numeric" id="until-day" name="day" value=(f.day); }
                                div class="form-group" { label for="until-month" { "Month" } input class={ "input--width-2" @if date_error.is_some() { " input--error" } } type="text" inputmode="numeric" id="until-month" name="month" value=(f.month); }
                                div class="form-group" { label for="until-year" { "Year" } input class={ "input--width-4" @if date_error.is_some() { " input--error" } } type="text" inputmode="numeric" id="until-year" name="year" value=(f.year); }
                            }
                        }
                    }
                    button class="button" type="submit" { "Save" }
                }
            }
            p { a href="/account/consent" { "Back to all your choices" } }
        },
    )
}

/// Reads a GOV.UK-style date (day, month, year boxes) as the end of that day in UTC.
fn parse_until(f: &UntilForm) -> Result<Option<Timestamp>, String> {
    let Some(date) = townhall_services::read_date([&f.day, &f.month, &f.year], "The date")? else {
        return Ok(None);
    };
    let end = Timestamp::from_datetime(OffsetDateTime::new_utc(date, Time::MIDNIGHT));
    if end <= Timestamp::now() {
        return Err("The date must be in the future".into());
    }
    Ok(Some(end))
}

pub async fn save_purpose(
    State(state): State<AppState>,
    v: Visitor,
    Path(purpose): Path<String>,
    Form(f): Form<UntilForm>,
) -> Result<Response, AppError> {
    let user = v.resident(Action::Write)?;
    let p = state
        .setting::<townhall_consent::Policy>()?
        .purpose(&purpose)
        .ok_or(AppError::NotFound)?;
    if p.default == ConsentDefault::RequiredByLaw {
        return Err(AppError::BadRequest(
            "This sharing is required by law, so there is no choice to save".into(),
        ));
    }
    let mut errors = Errors::default();
    let choice = match f.choice.as_str() {
        "yes" => Some(Choice::Granted),
        "no" => Some(Choice::Withdrawn),
        _ => {
            errors.push("choice", "Select yes or no");
            None
        }
    };
    let until = match parse_until(&f) {
        Ok(u) => u,
        Err(e) => {
            errors.push("until-day", e);
            None
        }
    };
    let Some(choice) = choice.filter(|_| errors.is_empty()) else {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            purpose_page(&state, &v, p, &f, &errors),
        )
            .into_response());
    };
    let changes: Vec<Change> = p
        .recipients
        .iter()
        .map(|r| Change {
            purpose: &p.id,
            recipient: r,
            choice,
            valid_until: until.filter(|_| choice == Choice::Granted),
        })
        .collect();
    record_own(&state, user, &changes).await?;
    Ok(Redirect::to("/account/consent").into_response())
}

pub async fn receipt(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    let user = v.resident(Action::Read)?;
    let council = state.council();
    let receipt = townhall_consent::receipt(
        state.store(),
        state.setting::<townhall_consent::Policy>()?,
        council.id,
        &council.name,
        user.id,
        user.email.as_str(),
        Timestamp::now(),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"consent-receipt.json\"",
            ),
        ],
        serde_json::to_string_pretty(&receipt).unwrap_or_default(),
    )
        .into_response())
}
