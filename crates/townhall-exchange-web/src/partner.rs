//! The hub's pages for a partner organisation's staff, under `/partner`:
//! their organisation's agreements; finding a person and reading what an
//! agreement shares, decided by the hub exactly as the organisation's
//! signed requests are (agreement, consent, only the fields allowed) and
//! audited under the member of staff's own name; and, for its managers,
//! everything the organisation asked.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_audit::{Outcome, RecordRef};
use townhall_authz::Action;
use townhall_exchange::agreement::Standing;
use townhall_exchange::hub::{self, agreement_for, Asking, Hub, Refusal, Way};
use townhall_exchange::permissions::{PartnerHistory, PartnerWork};
use townhall_exchange::{partners, Agreement, Agreements, Partner};
use townhall_identity::{PartnerRole, PartnerStaffMember};
use townhall_types::text::sentence;
use townhall_types::{day, Timestamp};
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Form;
use townhall_web::layout::{self, csrf, error_summary, page, Errors, Input};
use townhall_web::AppState;

use crate::hub_of;

/// The signed-in member of staff and their organisation.
async fn member<'v>(
    state: &AppState,
    v: &'v Visitor,
    action: Action,
) -> Result<(&'v PartnerStaffMember, Partner), AppError> {
    let me = v.partner_for(action, |partner| PartnerWork { partner })?;
    let partner = partners::get(state.store(), state.council().id, &me.partner)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .ok_or(AppError::Forbidden)?;
    Ok((me, partner))
}

/// The purposes `partner` may look people up for today: those of its
/// agreements in force that share `person` records with it, each with its
/// agreement's title.
fn purposes(hub: &Hub<'_>, partner: &str) -> Vec<(String, String)> {
    let day = Timestamp::now().uk_date();
    let mut found: Vec<(String, String)> = Vec::new();
    for a in theirs(hub.agreements, partner) {
        let allowed = agreement_for(
            hub.agreements,
            partner,
            (&a.purpose, "person"),
            Way::ToPartner,
            day,
        )
        .is_ok();
        // Named by the agreement, in the council's and partner's words (the
        // consent policy's titles are the resident's).
        if allowed && !found.iter().any(|(p, _)| *p == a.purpose) {
            found.push((a.purpose.clone(), a.title.clone()));
        }
    }
    found
}

/// `partner`'s agreements, in the order the council lists them.
fn theirs<'a>(agreements: &'a Agreements, partner: &'a str) -> impl Iterator<Item = &'a Agreement> {
    agreements
        .0
        .iter()
        .filter(move |a| a.parties.iter().any(|p| p == partner))
}

/// `GET /partner`: the organisation's page.
pub async fn home(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let (me, partner) = member(&state, &v, Action::Read).await?;
    let hub = hub_of(&state)?;
    let day = Timestamp::now().uk_date();
    let can_find = !purposes(&hub, &partner.id).is_empty();
    let agreements: Vec<&Agreement> = theirs(hub.agreements, &partner.id).collect();
    Ok(page(
        &v,
        &state.council().name,
        &partner.name,
        html! {
            span class="caption" { (partner.kind.label()) }
            h1 { (partner.name) }
            p { "You are signed in as " (me.user.display_name) ", " (me.role.label().to_lowercase()) "." }
            ul class="list" {
                li { a href="/partner/referrals" { "Referrals from the council" } }
                @if can_find { li { a href="/partner/find" { "Find a person" } } }
                @if me.role == PartnerRole::Manager { li { a href="/partner/history" { "Everything your organisation has asked" } } }
                li { a href="/partner/account" { "Your account and passkeys" } }
            }
            h2 { "Your organisation's agreements with the council" }
            @if agreements.is_empty() {
                (layout::empty("Your organisation has no data-sharing agreement with the council yet."))
            }
            @for a in &agreements {
                h3 { a href={ "/data-sharing/" (a.id) } { (a.title) } }
                p class="hint" { (standing(a, day)) }
                @for shared in &a.records {
                    @let to_you = !matches!(shared.direction, townhall_exchange::Direction::PartnerToCouncil);
                    p {
                        (shared.record_type.title) ": "
                        (shared.fields.iter().map(|f| f.label).collect::<Vec<_>>().join(", "))
                        " — " (if to_you { "the council shares with you" } else { "you send to the council" })
                    }
                }
            }
        },
    ))
}

fn standing(a: &Agreement, day: time::Date) -> String {
    match a.standing(day) {
        Standing::InForce => format!("In force until {}", day::long(a.expires)),
        Standing::NotYetInForce => format!("Starts on {}", day::long(a.starts)),
        Standing::Ended => format!("Ended on {}", day::long(a.expires)),
    }
}

/// A search as typed.
#[derive(Deserialize, Default)]
pub struct FindForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    nhs_number: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default, rename = "date_of_birth-day")]
    birth_day: String,
    #[serde(default, rename = "date_of_birth-month")]
    birth_month: String,
    #[serde(default, rename = "date_of_birth-year")]
    birth_year: String,
    #[serde(default)]
    postcode: String,
}

impl FindForm {
    /// The search the hub takes, or what is wrong, field by field.
    fn search(&self, purposes: &[(String, String)]) -> Result<hub::Find, Errors> {
        let mut errors = Errors::default();
        if !purposes.iter().any(|(p, _)| *p == self.purpose) {
            errors.push("purpose", "Select what you need to find them for");
        }
        let nhs = self.nhs_number.trim();
        if !nhs.is_empty() && townhall_linkage::column::nhs_number(nhs).is_none() {
            errors.push(
                "nhs_number",
                "Enter a valid NHS number, 10 digits like 943 476 5919",
            );
        }
        let born = townhall_services::read_date(
            [&self.birth_day, &self.birth_month, &self.birth_year].map(String::as_str),
            "Date of birth",
        );
        let postcode = self.postcode.trim();
        let lettered = |name: &str| name.trim().is_empty() || name.chars().any(char::is_alphabetic);
        for (field, name, what) in [
            ("given_name", &self.given_name, "first"),
            ("family_name", &self.family_name, "last"),
        ] {
            if !lettered(name) {
                errors.push(field, format!("Enter their {what} name in letters"));
            }
        }
        let today = Timestamp::now().uk_date();
        let born = born.and_then(|day| match day {
            Some(day) if day > today => Err("Date of birth must be in the past".to_owned()),
            day => Ok(day),
        });
        if nhs.is_empty() {
            if self.given_name.trim().is_empty() {
                errors.push(
                    "given_name",
                    "Enter their first name, or their NHS number instead",
                );
            }
            if self.family_name.trim().is_empty() {
                errors.push(
                    "family_name",
                    "Enter their last name, or their NHS number instead",
                );
            }
            match &born {
                Ok(None) => errors.push(
                    "date_of_birth",
                    "Enter their date of birth, or their NHS number instead",
                ),
                Err(why) => errors.push("date_of_birth", why.clone()),
                Ok(Some(_)) => {}
            }
            if postcode.is_empty() {
                errors.push(
                    "postcode",
                    "Enter their postcode, or their NHS number instead",
                );
            }
        } else if let Err(why) = &born {
            errors.push("date_of_birth", why.clone());
        }
        if !postcode.is_empty() && townhall_linkage::normalise::postcode(postcode).is_none() {
            errors.push("postcode", "Enter a real postcode, like RV4 3AX");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(hub::Find {
            purpose: self.purpose.clone(),
            given_name: given(&self.given_name),
            family_name: given(&self.family_name),
            date_of_birth: born.ok().flatten().map(|d| d.to_string()),
            postcode: given(postcode),
            nhs_number: given(nhs),
        })
    }
}

/// `GET /partner/find`.
pub async fn find_form(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    member(&state, &v, Action::Read).await?;
    find_page(&state, &v, &FindForm::default(), &Errors::default(), None)
}

/// `POST /partner/find`: asks the hub, as the member of staff.
pub async fn find(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<FindForm>,
) -> Result<Response, AppError> {
    let (me, partner) = member(&state, &v, Action::Write).await?;
    let hub = hub_of(&state)?;
    let search = match form.search(&purposes(&hub, &partner.id)) {
        Ok(search) => search,
        Err(errors) => {
            let mut page = find_page(&state, &v, &form, &errors, None)?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(page);
        }
    };
    let answer = hub::find(&hub, Asking::SignedIn(me), &search, Timestamp::now())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let located = match answer {
        Ok(located) => located,
        Err(refusal) => {
            let mut page = find_page(&state, &v, &form, &Errors::default(), Some(&refusal))?;
            *page.status_mut() = status(&refusal);
            return Ok(page);
        }
    };
    let day = Timestamp::now().uk_date();
    let readable: Vec<&'static townhall_exchange::RecordType> = townhall_exchange::RECORD_TYPES
        .iter()
        .filter(|r| {
            agreement_for(
                hub.agreements,
                &partner.id,
                (&search.purpose, r.name),
                Way::ToPartner,
                day,
            )
            .is_ok()
        })
        .collect();
    Ok(page(
        &v,
        &state.council().name,
        "One person found",
        html! {
            h1 { "One person found" }
            p { "The council's records match your search with a probability of " (percent(located.probability)) "." }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "Their reference" } dd { code { (located.person) } } }
            }
            p class="hint" { "Quote this reference if you need to ask the council about this search." }
            p { "What you may see of them, under your agreements for this purpose:" }
            @for r in &readable {
                form method="post" action={ "/partner/people/" (located.person) "/" (r.name) } {
                    (csrf(&v))
                    input type="hidden" name="purpose" value=(search.purpose);
                    button class="button button--secondary" type="submit" { "See " (r.title.to_lowercase()) }
                }
            }
            p { "Each look is recorded under your name, and the resident can see it." }
            p { a href="/partner/find" { "Find someone else" } }
        },
    )
    .into_response())
}

/// The status a refusal is answered with on a page: as in the API, but a
/// search that cannot be made is the form's mistake (422).
fn status(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::BadSearch(_) => StatusCode::UNPROCESSABLE_ENTITY,
        other => StatusCode::from_u16(other.status()).unwrap_or(StatusCode::FORBIDDEN),
    }
}

fn find_page(
    state: &AppState,
    v: &Visitor,
    form: &FindForm,
    errors: &Errors,
    refused: Option<&Refusal>,
) -> Result<Response, AppError> {
    let hub = hub_of(state)?;
    let partner = v.partner.as_ref().map_or("", |p| p.partner.as_str());
    let offered = purposes(&hub, partner);
    let purpose_error = errors.get("purpose");
    let born_error = errors.get("date_of_birth");
    Ok(page(
        v,
        &state.council().name,
        &layout::title(errors, "Find a person"),
        html! {
            (error_summary(errors))
            @if let Some(refusal) = refused {
                div class="notification-banner" role="region" aria-labelledby="refused-title" {
                    h2 class="notification-banner__title" id="refused-title" { "Nobody shown" }
                    p { (sentence(&refusal.message())) }
                    @if matches!(refusal, Refusal::NoMatch) {
                        p { "Check the details you gave. If you searched by NHS number, try their name, date of birth and postcode instead." }
                    }
                }
            }
            h1 { "Find a person" }
            @if offered.is_empty() {
                (layout::empty("None of your organisation's agreements in force lets it look people up."))
            } @else {
                form method="post" action="/partner/find" novalidate {
                    (csrf(v))
                    div class={ "form-group" @if purpose_error.is_some() { " form-group--error" } } {
                        fieldset aria-describedby=[purpose_error.map(|_| "purpose-error")] {
                            legend { "What do you need to find them for?" }
                            @if let Some(e) = purpose_error { span class="error-message" id="purpose-error" { span class="visually-hidden" { "Error: " } (e) } }
                            @for (n, (purpose, title)) in offered.iter().enumerate() {
                                div class="radios__item" {
                                    @let id = if n == 0 { "purpose".to_owned() } else { format!("purpose-{purpose}") };
                                    input type="radio" id=(id) name="purpose" value=(purpose) checked[form.purpose == *purpose || offered.len() == 1];
                                    label for=(id) { (title) }
                                }
                            }
                        }
                    }
                    (Input { name: "nhs_number", label: "NHS number", kind: "text", value: &form.nhs_number, hint: Some("If you know it. 10 digits, like 943 476 5919"), autocomplete: Some("off") }.render(errors))
                    p { "Or, if you do not know their NHS number:" }
                    (Input { name: "given_name", label: "First name", kind: "text", value: &form.given_name, hint: None, autocomplete: Some("off") }.render(errors))
                    (Input { name: "family_name", label: "Last name", kind: "text", value: &form.family_name, hint: None, autocomplete: Some("off") }.render(errors))
                    div class={ "form-group" @if born_error.is_some() { " form-group--error" } } {
                        fieldset role="group" aria-describedby={ "date_of_birth-hint" @if born_error.is_some() { " date_of_birth-error" } } {
                            legend { "Date of birth" }
                            div class="hint" id="date_of_birth-hint" { "For example, 14 3 1951" }
                            @if let Some(e) = born_error { span class="error-message" id="date_of_birth-error" { span class="visually-hidden" { "Error: " } (e) } }
                            (layout::date_parts("date_of_birth", [&form.birth_day, &form.birth_month, &form.birth_year], born_error.is_some(), None))
                        }
                    }
                    (Input { name: "postcode", label: "Postcode", kind: "text", value: &form.postcode, hint: None, autocomplete: Some("off") }.render(errors))
                    button class="button" type="submit" { "Find" }
                }
                p { "Your search is recorded under your name, and the person found can see it." }
            }
            p { a href="/partner" { "Back to your organisation's page" } }
        },
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    purpose: String,
}

/// `POST /partner/people/{person}/{record_type}`: reads what the agreement
/// shares, as the member of staff.
pub async fn read(
    State(state): State<AppState>,
    v: Visitor,
    Path((person, record_type)): Path<(String, String)>,
    Form(form): Form<ReadForm>,
) -> Result<Response, AppError> {
    let (me, _) = member(&state, &v, Action::Write).await?;
    let hub = hub_of(&state)?;
    let ask = hub::Read {
        person: &person,
        record_type: &record_type,
        purpose: &form.purpose,
        fields: None,
    };
    let answer = hub::read(&hub, Asking::SignedIn(me), &ask, Timestamp::now())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let released = match answer {
        Ok(released) => released,
        Err(refusal) => {
            return Ok((
                status(&refusal),
                page(
                    &v,
                    &state.council().name,
                    "Nothing shown",
                    html! {
                        h1 { "Nothing shown" }
                        p { (sentence(&refusal.message())) }
                        p { "This request has been recorded." }
                        p { a href="/partner/find" { "Find a person" } }
                    },
                ),
            )
                .into_response())
        }
    };
    let record_type = townhall_exchange::records::record_type(released.record_type);
    let title = record_type.map_or(released.record_type, |r| r.title);
    let agreement = hub.agreements.get(&released.agreement);
    // In the agreement's order, each value as GOV.UK writes it (dates as
    // "14 March 1951").
    let fields: Vec<(&str, String)> = agreement
        .and_then(|a| a.fields_of(released.record_type))
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let value = released.fields.get(f.name)?;
            Some((
                f.label,
                value
                    .as_deref()
                    .map_or_else(|| "Not held by the council".to_owned(), layout::long_date),
            ))
        })
        .collect();
    let agreement = agreement.map_or(released.agreement.as_str(), |a| a.title.as_str());
    Ok(page(
        &v,
        &state.council().name,
        title,
        html! {
            h1 { (title) }
            dl class="summary-list" {
                @for (label, value) in &fields {
                    div class="summary-list__row" { dt { (label) } dd { (value) } }
                }
            }
            p { "Shared under the agreement '" (agreement) "'. This look has been recorded under your name, and the resident can see it." }
            p { a href="/partner/find" { "Find someone else" } }
        },
    )
    .into_response())
}

/// `GET /partner/history`: everything the organisation asked, newest
/// first, for its managers.
pub async fn history(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let me = v.partner_for(Action::Read, |partner| PartnerHistory { partner })?;
    let entries =
        townhall_exchange::history::of_partner(state.store(), state.council().id, &me.partner, 200)
            .await?;
    Ok(page(
        &v,
        &state.council().name,
        "Everything your organisation has asked",
        html! {
            h1 { "Everything your organisation has asked" }
            p { "Every request your organisation's systems and staff made to the council's data-exchange hub, answered or refused, newest first (the last 200). Why a request was refused was said when it was answered; the resident it was about can see it too." }
            @if entries.is_empty() {
                (layout::empty("Your organisation has not asked the hub anything yet."))
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Requests" {
                    table {
                        caption class="visually-hidden" { "Requests, newest first" }
                        thead { tr {
                            th scope="col" { "When" }
                            th scope="col" { "Who" }
                            th scope="col" { "What" }
                            th scope="col" { "Answer" }
                        } }
                        tbody {
                            @for e in &entries {
                                tr {
                                    td { (e.at.human()) }
                                    td { (e.event.actor_label) }
                                    td { (asked(&e.event)) }
                                    td { (if e.event.outcome == Outcome::Denied { "Refused" } else { "Answered" }) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href="/partner" { "Back to your organisation's page" } }
        },
    ))
}

/// What an entry of the organisation's history asked, in its staff's
/// words: "Search for a person by Name, Date of birth, Address", "Read of
/// 01a2…: Phone number, Address", or the request itself.
fn asked(e: &townhall_audit::AuditEvent) -> String {
    let labels: Vec<&str> = e
        .fields
        .iter()
        .map(|f| {
            townhall_exchange::RECORD_TYPES
                .iter()
                .find_map(|r| r.field(f))
                .map_or(
                    match f.as_str() {
                        "nhs_number" => "NHS number",
                        other => other,
                    },
                    |field| field.label,
                )
        })
        .collect();
    let listed = labels.join(", ");
    match &e.record {
        RecordRef::Exchange(what) if what == "find person" => {
            if listed.is_empty() {
                "Search for a person".to_owned()
            } else {
                format!("Search for a person by {listed}")
            }
        }
        RecordRef::Person(person) if listed.is_empty() => format!("Read of {person}"),
        RecordRef::Person(person) => format!("Read of {person}: {listed}"),
        RecordRef::Exchange(what) => what.clone(),
        other => other.to_string(),
    }
}

/// A probability as a percentage with one decimal, rounded down and never
/// 100%: no match is certain.
fn percent(probability: f64) -> String {
    let tenths = (probability * 1000.0).floor().clamp(0.0, 999.0);
    format!("{:.1}%", tenths / 10.0)
}
