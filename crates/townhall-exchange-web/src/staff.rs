//! The hub on the staff pages: the messages the council sent partners that
//! could not be delivered (dead letters), for the data protection officer
//! and administrators to see and send again. Never their content.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_audit::Actor;
use townhall_authz::Action;
use townhall_exchange::permissions::Deliveries;
use townhall_exchange::webhooks::{self, WebhookError};
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::layout::{self, csrf, page};
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
    v.staff_for(Action::Read, &Deliveries)?;
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
    let me = v.staff_for(Action::Write, &Deliveries)?;
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
