//! The single resident index for staff: its size, the clerical review queue
//! (a pair side by side with the explanation of its score, and the
//! reviewer's decision), and finding a person to see them whole for a
//! purpose. Who may do what comes from the index policy through
//! `townhall_authz`; the consent decision and the audit entry from
//! `townhall_index`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_identity::permissions::StaffArea;
use townhall_identity::StaffMember;
use townhall_index::files::grouped;
use townhall_index::permissions::{ReviewQueue, SingleView};
use townhall_index::policy::{Details, IndexPolicy};
use townhall_index::records::{RecordKey, StoredRecord};
use townhall_index::review::{Review, Reviewer};
use townhall_index::view::Viewer;
use townhall_index::IndexError;
use townhall_types::{PersonId, ReviewId};

use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::{Form, Query};
use townhall_web::layout::{banner, csrf, error_summary, page, title, Errors, Input};
use townhall_web::AppState;

/// What a page answers when the index refuses or fails.
fn refused(e: IndexError) -> AppError {
    match e {
        IndexError::NotFound => AppError::NotFound,
        IndexError::AlreadyDecided => AppError::Conflict(e.to_string()),
        IndexError::Invalid(reason) => AppError::BadRequest(reason),
        IndexError::NotAllowed(reason) | IndexError::Refused(reason) => AppError::Denied(reason),
        other => AppError::Internal(other.to_string()),
    }
}

fn policy(state: &AppState) -> Result<&IndexPolicy, AppError> {
    state
        .settings()
        .get::<townhall_index::live::LiveIndex>()
        .map(|live| live.policy())
        .ok_or(AppError::NotFound)
}

fn team_name(me: &StaffMember) -> Option<&str> {
    me.team.as_ref().map(|t| t.name.as_str())
}

/// The signed-in member of staff if the policy lets their team review.
fn reviewer<'a>(
    v: &'a Visitor,
    policy: &IndexPolicy,
    action: Action,
) -> Result<&'a StaffMember, AppError> {
    let team_reviews = v
        .staff
        .as_ref()
        .and_then(team_name)
        .is_some_and(|t| policy.reviews(t));
    v.staff_for(action, &ReviewQueue { team_reviews })
}

/// The signed-in member of staff if the policy gives their team a view.
fn viewer<'a>(v: &'a Visitor, policy: &IndexPolicy) -> Result<&'a StaffMember, AppError> {
    let team_allowed = v
        .staff
        .as_ref()
        .and_then(team_name)
        .is_some_and(|t| policy.views_for(t).next().is_some());
    v.staff_for(Action::Read, &SingleView { team_allowed })
}

fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

/// The index's home: its size, the queue, and finding a person.
pub async fn home(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let policy = policy(&state)?;
    let me = v.staff_for(Action::Read, &StaffArea)?;
    let council = state.council().id;
    let counts = townhall_index::records::counts(state.store(), council).await?;
    let pending = townhall_index::review::pending_count(state.store(), council).await?;
    let imports = townhall_index::import::latest(state.store(), council, 10)
        .await
        .map_err(refused)?;
    let team = team_name(me).unwrap_or_default();
    let views: Vec<_> = policy.views_for(team).collect();
    let reviews = reviewer(&v, policy, Action::Read).is_ok();
    Ok(page(
        &v,
        &state.council().name,
        "Resident index",
        html! {
            h1 { "Resident index" }
            p class="lead" { "The council's records of people, linked across its systems so that each person is seen once." }
            div class="table-wrap" tabindex="0" {
                table {
                    caption { (counts.persons) " people in " (counts.systems.iter().map(|(_, n)| n).sum::<i64>()) " records" }
                    thead { tr { th scope="col" { "System" } th scope="col" class="numeric" { "Records" } } }
                    tbody {
                        @for (system, n) in &counts.systems {
                            tr { td { (policy.system_name(system)) } td class="numeric" { (n) } }
                        }
                    }
                }
            }
            @if !imports.is_empty() {
                h2 { "Latest imports" }
                p { "Values that could not be read count as missing, so the records they are in link less surely." }
                div class="table-wrap" tabindex="0" {
                    table {
                        caption class="visually-hidden" { "The latest imports of systems' records" }
                        thead { tr {
                            th scope="col" { "System" }
                            th scope="col" { "Imported" }
                            th scope="col" class="numeric" { "Records" }
                            th scope="col" { "Values that could not be read" }
                        } }
                        tbody {
                            @for import in &imports {
                                tr {
                                    td { (policy.system_name(&import.system)) br; span class="hint" { (import.file) } }
                                    td { (import.imported_at.human()) }
                                    td class="numeric" { (grouped(import.records)) }
                                    td {
                                        @if import.unreadable.is_empty() { "None" }
                                        @for u in &import.unreadable {
                                            // Counts and places only: the values are people's data.
                                            p { (u.column) ": " (grouped(u.unreadable)) " of " (grouped(u.values)) " (the first on " (u.at) ")" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Pairs to review" }
            @if reviews {
                p { a href="/staff/index/reviews" { (pending) " pair" @if pending != 1 { "s" } " of records waiting for a decision" } }
            } @else {
                p { (pending) " pair" @if pending != 1 { "s" } " waiting. Members of " (policy.reviewers.join(", ")) " decide them." }
            }
            h2 { "Find a person" }
            @if views.is_empty() {
                p { "Your team may not see people across systems. Teams that may: "
                    (policy.views.iter().flat_map(|v| v.teams.iter().map(String::as_str)).collect::<Vec<_>>().join(", ")) "." }
            } @else {
                (search_form(&state, &v, &views, &SearchQuery::default(), &Errors::default()))
            }
        },
    ))
}

/// What a search asks.
#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    surname: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    purpose: String,
}

fn search_form(
    state: &AppState,
    v: &Visitor,
    views: &[&townhall_index::policy::View],
    q: &SearchQuery,
    errors: &Errors,
) -> Markup {
    let consent = state.settings().get::<townhall_consent::Policy>();
    let purpose_title = |id: &str| {
        consent
            .and_then(|c| c.purpose(id))
            .map_or(id.to_owned(), |p| p.title.clone())
    };
    let purpose_error = errors.get("purpose");
    html! {
        // Posted, not a query string: a name and a birthday do not belong in
        // addresses, which browsers, proxies and logs keep.
        form method="post" action="/staff/people" novalidate {
            (csrf(v))
            (Input { name: "surname", label: "Surname", kind: "text", value: &q.surname, hint: None, autocomplete: Some("off") }.render(errors))
            (Input { name: "date_of_birth", label: "Date of birth", kind: "text", value: &q.date_of_birth, hint: Some("For example, 27/03/2012 or 2012-03-27"), autocomplete: Some("off") }.render(errors))
            div class={ "form-group" @if purpose_error.is_some() { " form-group--error" } } {
                fieldset aria-describedby=[purpose_error.map(|_| "purpose-error")] {
                    legend { "Why you need to see them" }
                    @if let Some(e) = purpose_error { span class="error-message" id="purpose-error" { span class="visually-hidden" { "Error: " } (e) } }
                    @for (i, view) in views.iter().enumerate() {
                        div class="radios__item" {
                            input type="radio" id={ @if i == 0 { "purpose" } @else { "purpose-" (i) } } name="purpose" value=(view.purpose) checked[q.purpose == view.purpose];
                            label for={ @if i == 0 { "purpose" } @else { "purpose-" (i) } } { (purpose_title(&view.purpose)) }
                        }
                    }
                }
            }
            button class="button" type="submit" { "Find" }
        }
    }
}

/// Persons with a record of a surname and date of birth.
pub async fn search(
    State(state): State<AppState>,
    v: Visitor,
    Form(q): Form<SearchQuery>,
) -> Result<Response, AppError> {
    let policy = policy(&state)?;
    let me = viewer(&v, policy)?;
    let views: Vec<_> = policy
        .views_for(team_name(me).unwrap_or_default())
        .collect();
    let mut errors = Errors::default();
    if q.surname.trim().is_empty() {
        errors.push("surname", "Enter their surname");
    }
    if q.date_of_birth.trim().is_empty() {
        errors.push("date_of_birth", "Enter their date of birth");
    } else if townhall_linkage::normalise::date(&q.date_of_birth).is_none() {
        errors.push(
            "date_of_birth",
            "Date of birth must be a real date, like 27/03/2012 or 2012-03-27",
        );
    }
    if !views.iter().any(|view| view.purpose == q.purpose) {
        errors.push("purpose", "Select why you need to see them");
    }
    let council = &state.council().name;
    if !errors.is_empty() {
        let body = html! {
            (error_summary(&errors))
            h1 { "Find a person" }
            (search_form(&state, &v, &views, &q, &errors))
        };
        return Ok((
            StatusCode::BAD_REQUEST,
            page(&v, council, &title(&errors, "Find a person"), body),
        )
            .into_response());
    }
    let found = townhall_index::records::find(
        state.store(),
        state.council().id,
        &q.surname,
        &q.date_of_birth,
    )
    .await?;
    if let [person] = found.as_slice() {
        return Ok(
            Redirect::to(&format!("/staff/people/{person}?purpose={}", q.purpose)).into_response(),
        );
    }
    Ok(page(
        &v,
        council,
        "People found",
        html! {
            h1 { "People found" }
            @if found.is_empty() {
                p { "Nobody in the index has that surname and date of birth. Check both, or try the spelling another system may use." }
            } @else {
                p { (found.len()) " people have a record with that surname and date of birth. Open each to tell them apart; each opening is recorded." }
                ul class="list" {
                    @for (n, person) in found.iter().enumerate() {
                        li { a href={ "/staff/people/" (person) "?purpose=" (q.purpose) } { "Person " (n + 1) } }
                    }
                }
            }
            p { a href="/staff/index" { "Search again" } }
        },
    )
    .into_response())
}

/// Which purpose a person is opened for.
#[derive(Deserialize)]
pub struct PurposeQuery {
    #[serde(default)]
    purpose: String,
}

/// One person across systems: allowed by the index policy and by consent, and audited.
pub async fn person(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
) -> Result<Markup, AppError> {
    let policy = policy(&state)?;
    let me = viewer(&v, policy)?;
    let person: PersonId = id.parse().map_err(|_| AppError::NotFound)?;
    let label = me.label();
    let seen = townhall_index::view::person_as(
        state.store(),
        state.setting::<townhall_consent::Policy>()?,
        policy,
        state.council().id,
        person,
        &Viewer {
            actor: Actor::Staff(me.user.id.to_string()),
            label: &label,
            team: team_name(me),
            purpose: &q.purpose,
        },
    )
    .await
    .map_err(refused)?
    .ok_or(AppError::NotFound)?;
    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "Not held".to_owned());
    let shown = |field: &str| {
        policy
            .views
            .iter()
            .any(|v| v.purpose == q.purpose && v.fields.iter().any(|f| f == field))
    };
    Ok(page(
        &v,
        &state.council().name,
        "One person across systems",
        html! {
            span class="caption" { "Resident index" }
            h1 { (seen.records.iter().find_map(|r| r.name.clone()).unwrap_or_else(|| "One person".to_owned())) }
            p class="warning-text" { "This view has been recorded in the audit log." }
            p { "Shown because " (seen.reason) "." }
            div class="table-wrap" tabindex="0" {
                table {
                    @if shown("services_involved") {
                        @let systems = seen.records.iter().filter_map(|r| r.source.as_ref().map(|k| k.system.as_str())).collect::<std::collections::BTreeSet<_>>().len();
                        caption { (seen.records.len()) " record" @if seen.records.len() != 1 { "s" } " in " (systems) " system" @if systems != 1 { "s" } }
                    } @else {
                        caption { "What the council's records say (which services hold them is not shown for this purpose)" }
                    }
                    thead { tr {
                        @if shown("services_involved") { th scope="col" { "System" } th scope="col" { "Record" } }
                        @if shown("name") { th scope="col" { "Name" } }
                        @if shown("date_of_birth") { th scope="col" { "Date of birth" } }
                        @if shown("address") { th scope="col" { "Address" } }
                        @if shown("email") { th scope="col" { "Email" } }
                        @if shown("phone") { th scope="col" { "Phone" } }
                        @if shown("services_involved") { th scope="col" class="numeric" { "Match" } }
                    } }
                    tbody {
                        @for r in &seen.records {
                            tr {
                                @if let Some(k) = &r.source {
                                    td { (policy.system_name(&k.system)) }
                                    td { (k.record_id) }
                                }
                                @if shown("name") { td { (show(&r.name)) } }
                                @if shown("date_of_birth") { td { (show(&r.date_of_birth)) } }
                                @if shown("address") { td { (show(&r.address)) } }
                                @if shown("email") { td { (show(&r.email)) } }
                                @if shown("phone") { td { (show(&r.phone)) } }
                                @if r.source.is_some() { td class="numeric" { (percent(r.probability.unwrap_or(1.0))) } }
                            }
                        }
                    }
                }
            }
            p { a href="/staff/index" { "Back to the resident index" } }
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// The review queue.
pub async fn queue(
    State(state): State<AppState>,
    v: Visitor,
    Query(done): Query<Done>,
) -> Result<Markup, AppError> {
    let policy = policy(&state)?;
    reviewer(&v, policy, Action::Read)?;
    let pending = townhall_index::review::pending(state.store(), state.council().id, SHOWN).await?;
    let waiting = townhall_index::review::pending_count(state.store(), state.council().id).await?;
    Ok(page(
        &v,
        &state.council().name,
        "Pairs to review",
        html! {
            @match done.done.as_deref() {
                Some("same") => (banner(true, "Decided: the same person", html! { p { "Their records are now one person, and every later run keeps it so." } })),
                Some("different") => (banner(true, "Decided: different people", html! { p { "Every later run keeps them apart." } })),
                _ => {}
            }
            span class="caption" { "Resident index" }
            h1 { "Pairs to review" }
            p { "The index could not be sure whether these records are one person. The likeliest come first." }
            @if pending.is_empty() {
                p class="empty" { "No pairs are waiting." }
            } @else {
                div class="table-wrap" tabindex="0" {
                    table {
                        caption {
                            (waiting) " pair" @if waiting != 1 { "s" } " waiting"
                            @if usize::try_from(waiting).is_ok_and(|w| w > pending.len()) { ": the " (pending.len()) " likeliest are shown" }
                        }
                        thead { tr { th scope="col" { "Pair" } th scope="col" { "Systems" } th scope="col" class="numeric" { "Likelihood" } } }
                        tbody {
                            @for (n, p) in pending.iter().enumerate() {
                                tr {
                                    td { a href={ "/staff/index/reviews/" (p.id) } { "Pair " (n + 1) } }
                                    td {
                                        (policy.system_name(&p.left.system)) " and " (policy.system_name(&p.right.system))
                                        @if typed_by_holder(policy, &p.left.system) || typed_by_holder(policy, &p.right.system) {
                                            br; span class="hint" { "Details typed by an account holder" }
                                        }
                                    }
                                    td class="numeric" { (percent(p.probability)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// How many pairs the queue lists, the likeliest first.
const SHOWN: i64 = 100;

/// Whether `system`'s records hold what people typed about themselves.
fn typed_by_holder(policy: &IndexPolicy, system: &str) -> bool {
    policy
        .system(system)
        .is_some_and(|s| matches!(s.details, Details::SelfAsserted { .. }))
}

/// What a reviewer must know of a record whose details its holder typed:
/// which were checked, and whether those agree with the other record's.
fn self_asserted_notes(policy: &IndexPolicy, left: &StoredRecord, right: &StoredRecord) -> Markup {
    let contact = |r: &StoredRecord, field: &str| -> String {
        match field {
            "email" => r.person.email.trim().to_lowercase(),
            _ => r
                .person
                .phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect(),
        }
    };
    html! {
        @for (mine, other) in [(left, right), (right, left)] {
            @if let Some(Details::SelfAsserted { checked }) = policy.system(&mine.key.system).map(|s| &s.details) {
                div class="warning-text" {
                    p {
                        strong { (policy.system_name(&mine.key.system)) " " (mine.key.record_id) }
                        " holds what its holder typed; nobody checked it"
                        @if !checked.is_empty() { " but for their " (checked.join(" and ").replace('_', " ")) }
                        ". Anyone can type another person's name and date of birth."
                    }
                    @for field in checked {
                        @let (a, b) = (contact(mine, field), contact(other, field));
                        p {
                            @if a.is_empty() || b.is_empty() {
                                "The other record holds no " (field.replace('_', " ")) " to compare."
                            } @else if a == b {
                                "Its checked " (field.replace('_', " ")) " is the other record's. Check it is not someone else's too (a parent's on a child's record)."
                            } @else {
                                "Its checked " (field.replace('_', " ")) " is not the other record's."
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn open_review(state: &AppState, me: &StaffMember, id: &str) -> Result<Review, AppError> {
    let id: ReviewId = id.parse().map_err(|_| AppError::NotFound)?;
    let label = me.label();
    townhall_index::review::open_as(
        state.store(),
        state.council().id,
        id,
        &Reviewer {
            actor: Actor::Staff(me.user.id.to_string()),
            label: &label,
        },
    )
    .await
    .map_err(refused)?
    .ok_or(AppError::NotFound)
}

fn record_rows(policy: &IndexPolicy, left: &StoredRecord, right: &StoredRecord) -> Markup {
    let rows: [(&str, &str, &str); 7] = [
        (
            "First name",
            &left.person.first_name,
            &right.person.first_name,
        ),
        ("Surname", &left.person.surname, &right.person.surname),
        (
            "Date of birth",
            &left.person.date_of_birth,
            &right.person.date_of_birth,
        ),
        ("Address", &left.person.address, &right.person.address),
        ("Postcode", &left.person.postcode, &right.person.postcode),
        ("Email", &left.person.email, &right.person.email),
        ("Phone", &left.person.phone, &right.person.phone),
    ];
    let key = |k: &RecordKey| format!("{} {}", policy.system_name(&k.system), k.record_id);
    html! {
        table {
            caption { "The two records" }
            thead { tr { th scope="col" { "Field" } th scope="col" { (key(&left.key)) } th scope="col" { (key(&right.key)) } } }
            tbody {
                @for (label, a, b) in rows {
                    tr {
                        th scope="row" { (label) }
                        td { @if a.is_empty() { span class="hint" { "Not held" } } @else { (a) } }
                        td { @if b.is_empty() { span class="hint" { "Not held" } } @else { (b) } }
                    }
                }
            }
        }
    }
}

fn review_page(
    state: &AppState,
    v: &Visitor,
    policy: &IndexPolicy,
    review: &Review,
    errors: &Errors,
) -> Markup {
    let e = &review.explanation;
    let choice_error = errors.get("decision");
    page(
        v,
        &state.council().name,
        &title(errors, "Are these the same person?"),
        html! {
            (error_summary(errors))
            span class="caption" { "Resident index" }
            h1 { "Are these the same person?" }
            p class="warning-text" { "Opening this pair has been recorded in the audit log." }
            div class="table-wrap" tabindex="0" { (record_rows(policy, &review.left, &review.right)) }
            (self_asserted_notes(policy, &review.left, &review.right))
            h2 { "Why the index is unsure" }
            p { "Each field adds evidence for (positive) or against (negative) the two records being one person. The weights add up to the score, " (format!("{:.2}", e.score)) ", a likelihood of " (percent(e.probability)) "." }
            div class="table-wrap" tabindex="0" {
                table {
                    caption { "The score, field by field" }
                    thead { tr { th scope="col" { "Field" } th scope="col" { "What was found" } th scope="col" class="numeric" { "Weight" } } }
                    tbody {
                        tr { td { "Starting point" } td { "How often any two records are the same person" } td class="numeric" { (format!("{:+.2}", e.prior)) } }
                        @for t in &e.terms {
                            tr { td { (t.field.replace('_', " ")) } td { (t.level) } td class="numeric" { (format!("{:+.2}", t.weight)) } }
                        }
                        tr { th scope="row" { "Total" } td {} td class="numeric" { strong { (format!("{:+.2}", e.score)) } } }
                    }
                }
            }
            @match &review.decided {
                Some(d) => {
                    p { "Decided on " (d.at.human()) " by " (d.by) ": " (if d.same { "the same person" } else { "different people" }) "." }
                }
                None => {
                    form method="post" action={ "/staff/index/reviews/" (review.pair.id) } novalidate {
                        (csrf(v))
                        div class={ "form-group" @if choice_error.is_some() { " form-group--error" } } {
                            fieldset aria-describedby=[choice_error.map(|_| "decision-error")] {
                                legend { "Your decision" }
                                @if let Some(e) = choice_error { span class="error-message" id="decision-error" { span class="visually-hidden" { "Error: " } (e) } }
                                div class="radios__item" {
                                    input type="radio" id="decision" name="decision" value="same";
                                    label for="decision" { "The same person" }
                                }
                                div class="radios__item" {
                                    input type="radio" id="decision-different" name="decision" value="different";
                                    label for="decision-different" { "Different people" }
                                }
                            }
                        }
                        button class="button" type="submit" { "Save decision" }
                    }
                }
            }
            p { a href="/staff/index/reviews" { "Back to the pairs to review" } }
        },
    )
}

/// One pair, side by side, with the explanation.
pub async fn review(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Markup, AppError> {
    let policy = policy(&state)?;
    let me = reviewer(&v, policy, Action::Read)?;
    let review = open_review(&state, me, &id).await?;
    Ok(review_page(&state, &v, policy, &review, &Errors::default()))
}

/// The decision form.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
}

/// A reviewer's decision.
pub async fn decide(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let policy = policy(&state)?;
    let me = reviewer(&v, policy, Action::Write)?;
    let same = match form.decision.as_str() {
        "same" => true,
        "different" => false,
        _ => {
            let review = open_review(&state, me, &id).await?;
            let mut errors = Errors::default();
            errors.push("decision", "Select whether these are the same person");
            return Ok((
                StatusCode::BAD_REQUEST,
                review_page(&state, &v, policy, &review, &errors),
            )
                .into_response());
        }
    };
    let review_id: ReviewId = id.parse().map_err(|_| AppError::NotFound)?;
    let label = me.label();
    let live = state
        .settings()
        .get::<townhall_index::live::LiveIndex>()
        .ok_or(AppError::NotFound)?;
    live.decide(
        state.store(),
        review_id,
        same,
        &Reviewer {
            actor: Actor::Staff(me.user.id.to_string()),
            label: &label,
        },
    )
    .await
    .map_err(refused)?;
    let done = if same { "same" } else { "different" };
    Ok(Redirect::to(&format!("/staff/index/reviews?done={done}")).into_response())
}
