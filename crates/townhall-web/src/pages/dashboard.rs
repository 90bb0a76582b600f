//! The resident's dashboard and account pages: everything about them in one place.

use axum::extract::State;
use maud::{html, Markup};
use serde::Deserialize;
use townhall_authz::Action;
use townhall_identity::{passkeys, profiles, User};

use crate::auth::Visitor;
use crate::error::AppError;
use crate::form::Query;
use crate::layout::{self, page};
use crate::{AppState, Drawing, Panel};

/// A message's delivery status in words for the resident.
fn delivery(status: &str) -> &'static str {
    match status {
        "created" => "Waiting to be sent",
        "sending" => "Sent",
        "delivered" => "Delivered",
        "permanent-failure" => "Could not be delivered: check your email address in your details",
        _ => "Not sent because of a problem on our side",
    }
}

/// The dashboard's cards the platform draws itself: what a resident was
/// sent, who has looked at their information, and their account.
pub(crate) const PANELS: &[Panel] = &[
    Panel {
        rank: 30,
        draw: messages,
    },
    Panel {
        rank: 50,
        draw: accesses,
    },
    Panel {
        rank: 60,
        draw: account,
    },
];

pub async fn dashboard(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let user = v.resident(Action::Read)?;
    let mut cards = Vec::with_capacity(state.shared.panels.len());
    for panel in &state.shared.panels {
        cards.push((panel.draw)(&state, user).await?);
    }
    Ok(page(
        &v,
        &state.council().name,
        "Your account",
        html! {
            h1 { "Your council in one place" }
            p class="lead" { "Hello " (user.display_name) "." }
            @for card in &cards { (card) }
        },
    ))
}

fn messages<'a>(state: &'a AppState, user: &'a User) -> Drawing<'a> {
    Box::pin(async move {
        let messages =
            townhall_notify::sent_to(state.store(), state.council().id, user.email.as_str(), 5)
                .await?;
        Ok(html! {
            div class="card" {
                h2 { "Messages" }
                @if messages.is_empty() {
                    (layout::empty("Messages from the council about your account, requests and applications will appear here."))
                } @else {
                    table {
                        caption class="visually-hidden" { "The latest messages sent to you" }
                        thead { tr { th scope="col" { "Sent" } th scope="col" { "Subject" } th scope="col" { "Status" } } }
                        tbody {
                            @for m in &messages {
                                tr {
                                    td { (townhall_types::Timestamp::parse(&m.created_at).map(|t| t.human()).unwrap_or_default()) }
                                    td { (m.subject) }
                                    td { (delivery(&m.status)) }
                                }
                            }
                        }
                    }
                }
            }
        })
    })
}

fn accesses<'a>(state: &'a AppState, user: &'a User) -> Drawing<'a> {
    Box::pin(async move {
        let accesses = townhall_audit::about_subject(
            state.store(),
            state.council().id,
            &user.id.to_string(),
            5,
        )
        .await?;
        Ok(html! {
            div class="card" {
                h2 { "Who has looked at your information" }
                @if accesses.is_empty() {
                    (layout::empty("Every time someone at the council or a partner looks at or changes your information, it will be listed here."))
                } @else {
                    ul {
                        @for a in &accesses {
                            li { (a.at.human()) ": " (a.event.actor_label) " " (described(&a.event)) ", for " (a.event.purpose) }
                        }
                    }
                }
                p { a href="/account/access-log" { "See the full list" } }
            }
        })
    })
}

fn account<'a>(_: &'a AppState, _: &'a User) -> Drawing<'a> {
    Box::pin(async {
        Ok(html! {
            div class="card" {
                h2 { "Your account" }
                p { a href="/account" { "Your details, password and passkeys" } }
            }
        })
    })
}

/// What an audit entry did, said to the resident: "changed your request: its
/// status", "looked at your details: your date of birth, your address",
/// "was refused your details: your phone number".
fn described(e: &townhall_audit::AuditEvent) -> String {
    use townhall_audit::Action as A;
    let request = matches!(e.record, townhall_audit::RecordRef::Case(_));
    let what = if request {
        "your request"
    } else {
        "your details"
    };
    let verb = match (e.action, request, e.outcome) {
        (_, _, townhall_audit::Outcome::Denied) => "was refused",
        (A::Read, _, _) => "looked at",
        (A::Create, true, _) => "made",
        (A::Create, false, _) => "recorded",
        (A::Update, _, _) => "changed",
        (A::Delete, _, _) => "removed some of",
        (A::Share, _, _) => "shared",
    };
    // Several stored fields read as one ("given_name", "family_name"): each once.
    let mut fields: Vec<String> = Vec::new();
    for words in e.fields.iter().map(|f| field_words(f)) {
        if !fields.contains(&words) {
            fields.push(words);
        }
    }
    if fields.is_empty() {
        format!("{verb} {what}")
    } else {
        format!("{verb} {what}: {}", fields.join(", "))
    }
}

/// A recorded field's name in words.
fn field_words(field: &str) -> String {
    if let Some(question) = field.strip_prefix("answers.") {
        return format!("your answer about {}", question.replace(['-', '_'], " "));
    }
    match field {
        "given_name" | "family_name" | "contact_name" | "name" | "display_name" => "your name",
        "date_of_birth" => "your date of birth",
        "phone" | "contact_phone" => "your phone number",
        "email" | "contact_email" => "your email address",
        "uprn" | "address" => "your address",
        "location" => "where it is",
        "status" => "its progress",
        "assignee" => "who is working on it",
        "note" => "a note",
        "duplicate_of" => "joined it to an earlier report",
        other => return other.replace(['-', '_', '.'], " "),
    }
    .to_owned()
}

pub async fn access_log(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let user = v.resident(Action::Read)?;
    let council = state.council();
    let accesses =
        townhall_audit::about_subject(state.store(), council.id, &user.id.to_string(), 500).await?;
    Ok(page(
        &v,
        &council.name,
        "Who has looked at your information",
        html! {
            h1 { "Who has looked at your information" }
            p { "Every time anyone at the council, a partner organisation or an automatic process looks at or changes your information, we record who, what, why and when. The record cannot be changed without it being detected." }
            @if accesses.is_empty() {
                (layout::empty("Nobody has looked at your information yet."))
            } @else {
                // Focusable, so that people using a keyboard can scroll it on a narrow screen.
                div class="table-wrap" tabindex="0" role="region" aria-label="Accesses to your information" {
                    table {
                        caption class="visually-hidden" { "Accesses to your information, newest first" }
                        thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Why" } } }
                        tbody {
                            @for a in &accesses {
                                tr {
                                    td { (a.at.human()) }
                                    td { (a.event.actor_label) }
                                    td { (described(&a.event)) }
                                    td { (a.event.purpose) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct SettingsQuery {
    passkey: Option<String>,
    details: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<SettingsQuery>,
) -> Result<Markup, AppError> {
    let user = v.resident(Action::Read)?;
    let council = state.council();
    let profile = profiles::read_own(state.store(), council.id, user.id)
        .await?
        .unwrap_or_default();
    let address = match &profile.uprn {
        Some(uprn) => townhall_places::address(state.store(), council.id, uprn)
            .await?
            .map(|a| a.one_line()),
        None => None,
    };
    let keys = passkeys::list(state.store(), council.id, user.id).await?;
    let done = match q.passkey.as_deref() {
        Some("added") => Some(
            "Passkey added. Next time you can sign in with your fingerprint, face or screen lock",
        ),
        Some("removed") => Some("Passkey removed"),
        _ if q.details.as_deref() == Some("changed") => Some("Your details have been changed"),
        _ => None,
    };
    let not_given = "Not given";
    Ok(page(
        &v,
        &council.name,
        "Your details",
        html! {
            @if let Some(done) = done { (layout::banner(true, done, html! {})) }
            h1 { "Your details" }
            dl class="summary-list" {
                div class="summary-list__row" {
                    dt { "Name" } dd { (profile.given_name) " " (profile.family_name) }
                    dd class="summary-list__actions" { a href="/account/details" { "Change" span class="visually-hidden" { " your name" } } }
                }
                div class="summary-list__row" { dt { "Email address" } dd { (user.email.as_str()) } }
                div class="summary-list__row" {
                    dt { "Date of birth" } dd { (profile.date_of_birth.as_deref().map_or_else(|| not_given.to_owned(), crate::layout::long_date)) }
                    dd class="summary-list__actions" { a href="/account/details" { "Change" span class="visually-hidden" { " your date of birth" } } }
                }
                div class="summary-list__row" { dt { "Phone" } dd { (profile.phone.as_deref().unwrap_or(not_given)) } }
                div class="summary-list__row" { dt { "Address" } dd { (address.as_deref().unwrap_or(not_given)) } }
            }
            (layout::passkeys(&v, &keys))
            p { a href="/forgot-password" { "Change your password" } }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_that_read_alike_are_named_once() {
        let event = townhall_audit::AuditEvent::new(
            townhall_types::CouncilId::new(),
            (townhall_audit::Actor::Staff("s".into()), "Ravi Shah"),
            townhall_audit::Action::Read,
            townhall_audit::RecordRef::Resident(townhall_types::UserId::new()),
        )
        .fields(["given_name", "family_name", "date_of_birth", "email"]);
        assert_eq!(
            described(&event),
            "looked at your details: your name, your date of birth, your email address"
        );
    }
}
