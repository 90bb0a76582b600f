//! The council's services and their published rules: policies and rules
//! visible as code, readable by people and, as JSON, by machines.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use townhall_services::eligibility::Rule;
use townhall_services::routing::Conditions;
use townhall_services::{LocationKind, Question, QuestionKind, Service};

use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::layout::page;
use townhall_web::AppState;

fn service<'a>(state: &'a AppState, id: &str) -> Result<&'a Service, AppError> {
    state
        .setting::<townhall_services::Catalogue>()?
        .get(id)
        .ok_or(AppError::NotFound)
}

pub async fn list(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let services = state.setting::<townhall_services::Catalogue>()?.all();
    let mut groups: Vec<&str> = services.iter().map(|s| s.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    Ok(page(
        &v,
        &state.council().name,
        "Council services",
        html! {
            h1 { "Council services" }
            @if services.is_empty() {
                p class="empty" { "This council has not published any online services yet." }
            }
            @for group in &groups {
                h2 { (group) }
                ul class="list" {
                    @for s in services.iter().filter(|s| s.group == *group) {
                        li { a href={ "/services/" (s.id) } { (s.name) } br; span class="hint" { (s.description) } }
                    }
                }
            }
        },
    ))
}

pub async fn about(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Markup, AppError> {
    let s = service(&state, &id)?;
    Ok(page(
        &v,
        &state.council().name,
        &s.name,
        html! {
            span class="caption" { (s.group) }
            h1 { (s.name) }
            p class="lead" { (s.description) }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "Who can use it" } dd { (if s.guests { "Anyone; you do not need an account" } else { "Residents with an account" }) } }
                div class="summary-list__row" { dt { "We aim to finish within" } dd { (s.deadline) } }
                @if let Some(fee) = &s.fee {
                    div class="summary-list__row" { dt { "Cost" } dd { (fee.display()) " (" (fee.description) ")" } }
                }
            }
            a class="button button--start" href={ "/services/" (s.id) "/start" } role="button" draggable="false" { "Start now" }
            p { a href={ "/services/" (s.id) "/rules" } { "How this service decides: its rules" } }
        },
    ))
}

pub async fn rules(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Markup, AppError> {
    let s = service(&state, &id)?;
    Ok(page(
        &v,
        &state.council().name,
        &format!("Rules: {}", s.name),
        html! {
            span class="caption" { "Published rules" }
            h1 { (s.name) }
            p { "These are the rules the service follows, exactly as the council has configured them. "
                a href={ "/services/" (s.id) "/rules.json" } { "Download them as JSON" } "." }
            h2 { "Deadline" }
            p { "We aim to finish each request within " (s.deadline) "." }
            @if let Some(d) = &s.duplicates {
                p { "If someone has reported the same problem within " (d.within_metres) " metres in the last " (d.within_days) " days, we show you that report so you can add yourself to it." }
            }
            h2 { "Who can use it" }
            ul class="list" {
                li { (if s.guests { "Anyone, with or without an account." } else { "Residents signed in to their account." }) }
                @for rule in &s.eligibility { li { (eligibility(s, rule)) } }
            }
            @if let Some(fee) = &s.fee {
                h2 { "Cost" }
                p { (fee.display()) ": " (fee.description) "." }
            }
            @if let Some(b) = &s.booking {
                h2 { "Booking" }
                p { "Collections run on " (b.weekdays.join(" and ")) ", " (b.capacity_per_day) " a day, bookable from " (b.earliest_days_ahead) " to " (b.latest_days_ahead) " days ahead." }
            }
            @if let Some(p) = &s.permit {
                h2 { "Permit" }
                p { "A " (p.name.to_lowercase()) " is issued when the request reaches \"" (s.workflow.status(&p.issued_at).map(|st| st.label.as_str()).unwrap_or(&p.issued_at)) "\". It lasts " (p.valid_for_days) " days." }
            }
            h2 { "Questions" }
            div class="table-wrap" tabindex="0" {
                table {
                    caption class="visually-hidden" { "The questions this service asks" }
                    thead { tr { th scope="col" { "Question" } th scope="col" { "Answer" } th scope="col" { "Required" } } }
                    tbody {
                        @for q in &s.questions {
                            tr { td { (q.label) } td { (answer_rule(q)) } td { (if q.required { "Yes" } else { "No" }) } }
                        }
                    }
                }
            }
            h2 { "Where requests go" }
            p { "The first rule that matches decides. The reason is recorded on the request." }
            ol class="list list--number" {
                @for r in &s.routing { li { (conditions(s, &r.when)) " → " strong { (r.team.replace("((parish))", "the parish's")) } } }
            }
            h2 { "What happens next" }
            div class="table-wrap" tabindex="0" {
                table {
                    caption class="visually-hidden" { "The statuses a request moves through" }
                    thead { tr { th scope="col" { "Status" } th scope="col" { "Can move to" } th scope="col" { "What you are told" } } }
                    tbody {
                        @for st in &s.workflow.statuses {
                            tr {
                                td { (st.label) @if st.closed { " (closed)" } }
                                td { (st.next.iter().filter_map(|n| s.workflow.status(n)).map(|n| n.label.as_str()).collect::<Vec<_>>().join(", ")) }
                                td { (st.message.as_deref().unwrap_or("No message")) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn rules_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = service(&state, &id)?;
    let body = serde_json::to_string_pretty(s).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response())
}

fn eligibility(s: &Service, rule: &Rule) -> String {
    match rule {
        Rule::SignedIn { .. } => "You must be signed in.".to_owned(),
        Rule::InZone { zones, .. } if zones.is_empty() => {
            "The address must be in a controlled parking zone.".to_owned()
        }
        Rule::InZone { zones, .. } => {
            format!(
                "The address must be in one of these parking zones: {}.",
                zones.join(", ")
            )
        }
        Rule::OnePer { answer, .. } => format!(
            "Only one open request or valid permit for each {}.",
            s.question(answer)
                .map(|q| q.short_name().to_lowercase())
                .unwrap_or_else(|| answer.clone())
        ),
    }
}

fn answer_rule(q: &Question) -> String {
    let mut text = match q.kind {
        QuestionKind::Text => "Text".to_owned(),
        QuestionKind::LongText => "A paragraph".to_owned(),
        QuestionKind::Number => match (q.min, q.max) {
            (Some(lo), Some(hi)) => format!("A number from {lo} to {hi}"),
            _ => "A number".to_owned(),
        },
        QuestionKind::Date => "A date".to_owned(),
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            let labels: Vec<&str> = q.choices.iter().map(|c| c.label.as_str()).collect();
            let how = if q.kind == QuestionKind::SingleChoice {
                "One of"
            } else {
                "Any of"
            };
            format!("{how}: {}", labels.join("; "))
        }
        QuestionKind::YesNo => "Yes or no".to_owned(),
        QuestionKind::Location => match q.accept.as_slice() {
            [LocationKind::Address] => "An address from the council's list".to_owned(),
            [LocationKind::Point] => "A point, as its latitude and longitude".to_owned(),
            _ => "An address from the council's list, or a point as its latitude and longitude"
                .to_owned(),
        },
        QuestionKind::Photo => "A photo (JPEG, PNG or WebP, up to 10 MB)".to_owned(),
        QuestionKind::Slot => "A day with places left".to_owned(),
    };
    if let Some(n) = q.max_length {
        text.push_str(&format!(", up to {n} characters"));
    }
    text
}

fn conditions(s: &Service, c: &Conditions) -> String {
    let mut parts = Vec::new();
    if let Some(q) = c.answer.as_deref().and_then(|a| s.question(a)) {
        let values: Vec<&str> =
            c.is.iter()
                .map(|v| match v.as_str() {
                    "yes" if q.kind == QuestionKind::YesNo => "Yes",
                    "no" if q.kind == QuestionKind::YesNo => "No",
                    v => q.choice_label(v).unwrap_or(v),
                })
                .collect();
        parts.push(format!(
            "the answer to ‘{}’ is ‘{}’",
            q.label,
            values.join("’ or ‘")
        ));
    }
    if !c.ward.is_empty() {
        parts.push(format!("the place is in ward {}", c.ward.join(" or ")));
    }
    if !c.parish.is_empty() {
        parts.push(format!("the place is in parish {}", c.parish.join(" or ")));
    }
    match c.in_parish {
        Some(true) => parts.push("the place is in a parish".to_owned()),
        Some(false) => parts.push("the place is not in a parish".to_owned()),
        None => {}
    }
    if parts.is_empty() {
        "Every other request".to_owned()
    } else {
        format!("If {}", parts.join(" and "))
    }
}
