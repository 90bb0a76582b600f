//! The hub on the staff pages, for the data protection officer and
//! administrators: the partners, registering one, and each one's keys and
//! staff (whose accounts are closed here when they leave); the messages the
//! council sent partners that could not be delivered (dead letters), to see
//! (never their content) and send again.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_exchange::partners::{self, Partner, PartnerError, PartnerKind};
use townhall_exchange::permissions::HubAdministration;
use townhall_exchange::staff::{self, StaffError};
use townhall_exchange::webhooks::{self, WebhookError};
use townhall_types::EmailAddress;
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::{Form, Query};
use townhall_web::layout::{self, csrf, error_summary, page, Errors};
use townhall_web::AppState;

#[derive(Deserialize)]
pub struct Done {
    sent: Option<String>,
}

/// `GET /staff/hub/dead-letters`.
pub async fn dead_letters(
    State(state): State<AppState>,
    v: Visitor,
    Query(done): Query<Done>,
) -> Result<Markup, AppError> {
    v.staff_for(Action::Read, &HubAdministration)?;
    let letters = webhooks::dead_letters(state.store(), state.council().id).await?;
    Ok(page(
        &v,
        &state.council().name,
        "Messages to partners not delivered",
        html! {
            @if done.sent.is_some() {
                (layout::banner(true, "The message will be sent again within a minute", html! {}))
            }
            h1 { "Messages to partners not delivered" }
            p { "The hub tries each message six times over about 15 hours. These are the ones the partner's address did not take. Send one again once the partner has put its address right." }
            @if letters.is_empty() {
                (layout::empty("Every message has been delivered."))
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Messages not delivered" {
                    table {
                        caption class="visually-hidden" { "Messages not delivered, newest first" }
                        thead { tr {
                            th scope="col" { "Partner" }
                            th scope="col" { "Record" }
                            th scope="col" { "Queued" }
                            th scope="col" { "Last answer" }
                            th scope="col" { span class="visually-hidden" { "Action" } }
                        } }
                        tbody {
                            @for d in &letters {
                                tr {
                                    td { (d.partner) }
                                    td { (d.record_type.replace('_', " ")) }
                                    td { (d.created_at.human()) }
                                    td { (d.last_error.as_deref().unwrap_or("none")) " (" (d.attempts) " attempts)" }
                                    td {
                                        form method="post" action={ "/staff/hub/dead-letters/" (d.id) } {
                                            (csrf(&v))
                                            button class="button button--secondary" type="submit" { "Send again" span class="visually-hidden" { " to " (d.partner) } }
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

/// `POST /staff/hub/dead-letters/{id}`: sends one again.
pub async fn send_again(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = v.staff_for(Action::Write, &HubAdministration)?;
    let label = me.label();
    match webhooks::send_again(
        state.store(),
        state.council().id,
        &id,
        (Actor::Staff(me.user.id.to_string()), &label),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/staff/hub/dead-letters?sent=1").into_response()),
        Err(WebhookError::NotDead(_)) => Err(AppError::NotFound),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

#[derive(Deserialize, Default)]
pub struct PartnerForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    dpo: String,
}

/// `GET /staff/hub/partners`.
pub async fn partners(
    State(state): State<AppState>,
    v: Visitor,
    Query(done): Query<Registered>,
) -> Result<Response, AppError> {
    v.staff_for(Action::Read, &HubAdministration)?;
    partners_page(
        &state,
        &v,
        &PartnerForm::default(),
        &Errors::default(),
        done.registered.as_deref(),
    )
    .await
}

#[derive(Deserialize)]
pub struct Registered {
    registered: Option<String>,
}

/// `POST /staff/hub/partners`: registers one.
pub async fn register(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<PartnerForm>,
) -> Result<Response, AppError> {
    v.staff_for(Action::Write, &HubAdministration)?;
    let mut errors = Errors::default();
    let kind = PartnerKind::parse(&form.kind);
    if kind.is_none() {
        errors.push("kind", "Select what kind of organisation it is");
    }
    let email = |field: &str, text: &str, errors: &mut Errors| match EmailAddress::parse(text) {
        Ok(e) => Some(e),
        Err(_) => {
            errors.push(
                field,
                "Enter an email address in the correct format, like name@example.com",
            );
            None
        }
    };
    let contact = email("contact", &form.contact, &mut errors);
    let dpo = email("dpo", &form.dpo, &mut errors);
    if let (Some(kind), Some(contact), Some(dpo)) = (kind, contact, dpo) {
        let partner = Partner {
            id: form.id.trim().to_owned(),
            name: form.name.clone(),
            kind,
            code: Some(form.code.trim().to_owned()).filter(|c| !c.is_empty()),
            contact,
            dpo,
        };
        match partners::register(state.store(), state.council().id, &partner).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/staff/hub/partners?registered={}", partner.id)).into_response())
            }
            Err(PartnerError::BadId(_)) => errors.push("id", "Enter an id of lower-case letters, digits and hyphens, such as riverside-medical-centre"),
            Err(PartnerError::Taken(_)) => errors.push("id", "There is already a partner with this id"),
            Err(PartnerError::BadName) => errors.push("name", "Enter the organisation's name, on one line"),
            Err(PartnerError::BadCode(_)) => errors.push("code", "Enter the organisation code in capital letters and digits, such as Y99001, or leave it empty"),
            Err(e) => return Err(AppError::Internal(e.to_string())),
        }
    }
    let mut page = partners_page(&state, &v, &form, &errors, None).await?;
    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(page)
}

async fn partners_page(
    state: &AppState,
    v: &Visitor,
    form: &PartnerForm,
    errors: &Errors,
    registered: Option<&str>,
) -> Result<Response, AppError> {
    let listed = partners::list(state.store(), state.council().id)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let kind_error = errors.get("kind");
    Ok(page(
        v,
        &state.council().name,
        &layout::title(errors, "Partners"),
        html! {
            @if let Some(id) = registered {
                (layout::banner(true, &format!("Partner '{id}' registered. Give it a key with townhall admin partner key"), html! {}))
            }
            (error_summary(errors))
            h1 { "Partners" }
            p { "The organisations the council shares information with, through the data-exchange hub, under the agreements published at " a href="/data-sharing" { "/data-sharing" } "." }
            @if listed.is_empty() {
                (layout::empty("No partner is registered yet."))
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Partners" {
                    table {
                        caption class="visually-hidden" { "Partners" }
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Kind" } th scope="col" { "Code" } th scope="col" { "Contact" } } }
                        tbody {
                            @for p in &listed {
                                tr { td { a href={ "/staff/hub/partners/" (p.id) } { (p.name) } } td { (p.kind.label()) } td { (p.code.as_deref().unwrap_or("–")) } td { (p.contact.as_str()) } }
                            }
                        }
                    }
                }
            }
            h2 { "Register a partner" }
            form method="post" action="/staff/hub/partners" novalidate {
                (csrf(v))
                (layout::Input { name: "id", label: "Id", kind: "text", value: &form.id, hint: Some("How agreements name it: lower-case letters, digits and hyphens, such as riverside-medical-centre"), autocomplete: Some("off") }.render(errors))
                (layout::Input { name: "name", label: "Name", kind: "text", value: &form.name, hint: None, autocomplete: Some("organization") }.render(errors))
                div class={ "form-group" @if kind_error.is_some() { " form-group--error" } } {
                    fieldset aria-describedby=[kind_error.map(|_| "kind-error")] {
                        legend { "What kind of organisation is it?" }
                        @if let Some(e) = kind_error { span class="error-message" id="kind-error" { span class="visually-hidden" { "Error: " } (e) } }
                        @for (n, k) in PartnerKind::ALL.iter().enumerate() {
                            div class="radios__item" {
                                @let id = if n == 0 { "kind".to_owned() } else { format!("kind-{}", k.as_str()) };
                                input type="radio" id=(id) name="kind" value=(k.as_str()) checked[form.kind == k.as_str()];
                                label for=(id) { (k.label()) }
                            }
                        }
                    }
                }
                (layout::Input { name: "code", label: "Organisation code (optional)", kind: "text", value: &form.code, hint: Some("Its NHS ODS code, for example Y99001"), autocomplete: Some("off") }.render(errors))
                (layout::Input { name: "contact", label: "Email address for the exchange", kind: "email", value: &form.contact, hint: None, autocomplete: Some("off") }.render(errors))
                (layout::Input { name: "dpo", label: "Data protection officer's email address", kind: "email", value: &form.dpo, hint: None, autocomplete: Some("off") }.render(errors))
                button class="button" type="submit" { "Register partner" }
            }
        },
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct Removed {
    removed: Option<String>,
}

/// `GET /staff/hub/partners/{id}`: a partner, its keys and its staff.
pub async fn partner(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Query(done): Query<Removed>,
) -> Result<Markup, AppError> {
    v.staff_for(Action::Read, &HubAdministration)?;
    let council = state.council().id;
    let internal = |e: PartnerError| AppError::Internal(e.to_string());
    let p = partners::get(state.store(), council, &id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let keys = partners::keys(state.store(), council, &p.id)
        .await
        .map_err(internal)?;
    let members = staff::list(state.store(), council, &p.id)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(page(
        &v,
        &state.council().name,
        &p.name,
        html! {
            @if done.removed.is_some() {
                (layout::banner(true, "The account is closed: they are signed out and can no longer sign in", html! {}))
            }
            span class="caption" { (p.kind.label()) }
            h1 { (p.name) }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "Id" } dd { code { (p.id) } } }
                div class="summary-list__row" { dt { "Organisation code" } dd { (p.code.as_deref().unwrap_or("–")) } }
                div class="summary-list__row" { dt { "Contact" } dd { (p.contact.as_str()) } }
                div class="summary-list__row" { dt { "Data protection officer" } dd { (p.dpo.as_str()) } }
            }
            h2 { "Signing keys" }
            @if keys.is_empty() {
                (layout::empty("No key yet: add one with townhall admin partner key."))
            } @else {
                table {
                    caption class="visually-hidden" { "Signing keys" }
                    thead { tr { th scope="col" { "Key id" } th scope="col" { "Accepted from" } th scope="col" { "Until" } } }
                    tbody {
                        @for k in &keys {
                            tr { td { code { (k.key_id) } } td { (k.valid_from.human()) } td { (k.valid_until.map_or_else(|| "No end".to_owned(), |u| u.human())) } }
                        }
                    }
                }
            }
            h2 { "Staff who sign in to the partner pages" }
            @if members.is_empty() {
                (layout::empty("Nobody yet: give someone an account with townhall admin partner staff add."))
            } @else {
                table {
                    caption class="visually-hidden" { "Staff" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Email address" } th scope="col" { "Role" } th scope="col" { span class="visually-hidden" { "Action" } } } }
                    tbody {
                        @for m in &members {
                            tr {
                                td { (m.user.display_name) }
                                td { (m.user.email.as_str()) }
                                td { (m.role.label()) }
                                td {
                                    form method="post" action={ "/staff/hub/partners/" (p.id) "/staff/remove" } {
                                        (csrf(&v))
                                        input type="hidden" name="email" value=(m.user.email.as_str());
                                        button class="button button--warning" type="submit" { "Close account" span class="visually-hidden" { " of " (m.user.display_name) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { a href="/staff/hub/partners" { "All partners" } }
        },
    ))
}

#[derive(Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    email: String,
}

/// `POST /staff/hub/partners/{id}/staff/remove`: closes a member of the
/// partner's staff's account.
pub async fn remove_staff(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(form): Form<StaffForm>,
) -> Result<Response, AppError> {
    v.staff_for(Action::Write, &HubAdministration)?;
    let email = EmailAddress::parse(&form.email).map_err(|_| AppError::NotFound)?;
    match staff::remove(state.store(), state.council().id, &id, &email).await {
        // Nobody's name in the address: it would sit in logs and history.
        Ok(_) => Ok(Redirect::to(&format!("/staff/hub/partners/{id}?removed=1")).into_response()),
        Err(StaffError::NotOnStaff { .. } | StaffError::UnknownPartner(_)) => {
            Err(AppError::NotFound)
        }
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}
