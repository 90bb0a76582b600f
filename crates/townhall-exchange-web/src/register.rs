//! The public register of data-sharing agreements, `/data-sharing`: every
//! agreement the council has made, in force, ended or still to start, each
//! in plain English and as JSON, so that anyone can see whom the council
//! shares information with, what, why, on what lawful basis and for how
//! long.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Serialize;
use time::Date;
use townhall_exchange::agreement::{Agreement, Condition, Direction, Standing, COUNCIL};
use townhall_exchange::partners::{self, Partner};
use townhall_exchange::Agreements;
use townhall_types::{day, Timestamp};
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::layout::{self, page};
use townhall_web::AppState;

/// The register's sections, in the order shown.
const SECTIONS: [(Standing, &str); 3] = [
    (Standing::InForce, "In force"),
    (Standing::NotYetInForce, "Starting soon"),
    (Standing::Ended, "Ended"),
];

/// An agreement as the register publishes it: the agreement, where it
/// stands today, and its partners.
#[derive(Serialize)]
struct Published<'a> {
    #[serde(flatten)]
    agreement: &'a Agreement,
    standing: Standing,
    partners: Vec<&'a Partner>,
}

/// The council's agreements and its partners, as of today.
struct Register {
    agreements: Agreements,
    partners: Vec<Partner>,
    today: Date,
}

impl Register {
    async fn of(state: &AppState) -> Result<Self, AppError> {
        Ok(Register {
            agreements: state.setting::<Agreements>()?.clone(),
            partners: partners::list(state.store(), state.council().id)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?,
            today: Timestamp::now().uk_date(),
        })
    }

    fn published(&self) -> Vec<Published<'_>> {
        self.agreements
            .0
            .iter()
            .map(|a| Published {
                agreement: a,
                standing: a.standing(self.today),
                partners: self
                    .partners
                    .iter()
                    .filter(|p| a.parties.contains(&p.id))
                    .collect(),
            })
            .collect()
    }
}

fn json(body: &impl Serialize) -> Result<Response, AppError> {
    let body = serde_json::to_string_pretty(body).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response())
}

/// `GET /data-sharing`.
pub async fn list(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let register = Register::of(&state).await?;
    let published = register.published();
    Ok(page(
        &v,
        &state.council().name,
        "Who we share information with",
        html! {
            h1 { "Who we share information with" }
            p { "The council shares information about residents with other organisations only under a written data-sharing agreement, and only what the agreement names. Each agreement is listed here, with whom, why, on what lawful basis and for how long. "
                a href="/data-sharing.json" { "Download the register as JSON" } "." }
            p { "You can see who has looked at your own information, and choose what is shared, from your account." }
            @for (standing, heading) in SECTIONS {
                @let these: Vec<&Published> = published.iter().filter(|p| p.standing == standing).collect();
                h2 { (heading) }
                @if these.is_empty() {
                    (layout::empty(match standing {
                        Standing::InForce => "No agreement is in force.",
                        Standing::NotYetInForce => "No agreement is waiting to start.",
                        Standing::Ended => "No agreement has ended.",
                    }))
                } @else {
                    ul class="list" {
                        @for p in these {
                            li {
                                a href={ "/data-sharing/" (p.agreement.id) } { (p.agreement.title) }
                                br;
                                span class="hint" { "With " (names(&p.partners)) ", " (period(p.agreement)) "." }
                            }
                        }
                    }
                }
            }
            p { "Staff of these organisations use the council's " a href="/partner/sign-in" { "partner pages" } "." }
        },
    ))
}

/// `GET /data-sharing.json`.
pub async fn list_json(State(state): State<AppState>) -> Result<Response, AppError> {
    let register = Register::of(&state).await?;
    json(&serde_json::json!({ "agreements": register.published() }))
}

/// `GET /data-sharing/{id}`, and `/data-sharing/{id}.json`.
pub async fn one(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let register = Register::of(&state).await?;
    let published = register.published();
    let (id, as_json) = match id.strip_suffix(".json") {
        Some(id) => (id, true),
        None => (id.as_str(), false),
    };
    let Some(p) = published.iter().find(|p| p.agreement.id == id) else {
        if as_json {
            return Ok((
                axum::http::StatusCode::NOT_FOUND,
                axum::Json(serde_json::json!({"error": {"code": "not_found", "message": "the council has no data-sharing agreement with that id"}})),
            )
                .into_response());
        }
        return Err(AppError::NotFound);
    };
    if as_json {
        return json(p);
    }
    let a = p.agreement;
    let consent = state.setting::<townhall_consent::Policy>()?;
    let purpose = consent.purpose(&a.purpose);
    Ok(page(
        &v,
        &state.council().name,
        &a.title,
        html! {
            span class="caption" { "Data-sharing agreement" }
            h1 { (a.title) }
            p class="lead" { (a.summary) }
            p { (match p.standing {
                Standing::InForce => "In force",
                Standing::NotYetInForce => "Not in force yet",
                Standing::Ended => "Ended",
            }) ": " (period(a)) ". "
                a href={ "/data-sharing/" (a.id) ".json" } { "Download it as JSON" } "." }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "With" } dd { (names(&p.partners)) } }
                div class="summary-list__row" { dt { "Why" } dd {
                    @match purpose {
                        Some(purpose) => { (purpose.title) ": " (purpose.description) }
                        None => { (a.purpose) }
                    }
                } }
                div class="summary-list__row" { dt { "Lawful basis" } dd {
                    "UK GDPR Article 6: " (a.article_6.label())
                    @if let Some(condition) = a.article_9 { "; for health information, Article 9: " (condition.label()) }
                } }
                div class="summary-list__row" { dt { "Who it covers" } dd { (covers(a)) } }
                div class="summary-list__row" { dt { "How long it is kept" } dd { (a.retention_days) " days after it is received, then deleted" } }
                div class="summary-list__row" { dt { "Next review" } dd { (day::long(a.review)) } }
            }
            h2 { "What is shared" }
            @for shared in &a.records {
                h3 { (capitalised(shared.record_type.about)) }
                p class="hint" { (match shared.direction {
                    Direction::CouncilToPartner => "From the council to the organisations named",
                    Direction::PartnerToCouncil => "From the organisations named to the council",
                    Direction::Both => "Both ways: from the council to the organisations named, and back",
                }) }
                ul class="list list--bullet" {
                    @for f in &shared.fields {
                        li { (capitalised(f.to_resident)) @if let Some(special) = f.special { " (" (special.label()) ")" } }
                    }
                }
            }
            p { "Nothing else is shared under this agreement. Each time information is shared, it is recorded, and you can see it under who has looked at your information." }
            h2 { "Signed by" }
            ul class="list" {
                @for s in &a.signatories {
                    li { (s.name) ", " (s.role) ", on " (day::long(s.signed)) @if s.party != COUNCIL { " for " (party(&p.partners, &s.party)) } }
                }
            }
            p { a href="/data-sharing" { "All data-sharing agreements" } }
        },
    )
    .into_response())
}

fn names(partners: &[&Partner]) -> String {
    partners
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn party<'a>(partners: &'a [&Partner], id: &'a str) -> &'a str {
    partners
        .iter()
        .find(|p| p.id == id)
        .map_or(id, |p| p.name.as_str())
}

fn period(a: &Agreement) -> String {
    format!("from {} to {}", day::long(a.starts), day::long(a.expires))
}

fn covers(a: &Agreement) -> &'static str {
    if a.conditions.contains(&Condition::ResidentConsented) {
        "Only residents who have said yes"
    } else if a.conditions.contains(&Condition::ResidentNotOptedOut) {
        "Residents who have not said no"
    } else {
        "Residents whose choices about sharing allow it"
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
