//! A resident's own requests: where each one is, and what has happened.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_authz::Action;
use townhall_cases::attachments::Attachment;

use crate::answers::answer_text;
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Query;
use townhall_web::layout::page;
use townhall_web::AppState;

#[derive(Deserialize)]
pub struct Fresh {
    #[serde(default)]
    new: Option<String>,
}

pub async fn one(
    State(state): State<AppState>,
    v: Visitor,
    Path(reference): Path<String>,
    Query(fresh): Query<Fresh>,
) -> Result<Markup, AppError> {
    let user = v.resident(Action::Read)?;
    let council = state.council();
    let (case, history) = townhall_cases::own_case(state.store(), council.id, user.id, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let service = state
        .setting::<townhall_services::Catalogue>()?
        .get(&case.service);
    let name = service.map_or(case.service.as_str(), |s| s.name.as_str());
    let status_label = |id: &str| {
        service
            .and_then(|s| s.workflow.status(id))
            .map_or(id.to_owned(), |st| st.label.clone())
    };
    Ok(page(
        &v,
        &council.name,
        &format!("{name}: {reference}"),
        html! {
            @if fresh.new.is_some() {
                div class="panel" {
                    h1 { (name) ": sent" }
                    p { "Your reference number" br; strong { (case.reference) } }
                }
                p { "We have sent a confirmation to " (user.email) "." }
            } @else {
                span class="caption" { (case.reference) }
                h1 { (name) }
            }
            dl class="summary-list" {
                div class="summary-list__row" { dt { "Status" } dd { strong class=(if case.closed { "tag tag--grey" } else { "tag" }) { (status_label(&case.status)) } } }
                div class="summary-list__row" { dt { "Sent" } dd { (case.created_at.human()) } }
                @if !case.closed {
                    div class="summary-list__row" { dt { "We aim to finish by" } dd { (case.due_at.human_date()) } }
                }
                @if let Some(s) = service {
                    @for q in &s.questions {
                        @if let Some(a) = case.answers.get(&q.id) {
                            div class="summary-list__row" { dt { (q.short_name()) } dd {
                                @match (q.kind, &case.location) {
                                    (townhall_services::QuestionKind::Location, Some(l)) => {
                                        (l.address.clone().unwrap_or_else(|| format!("{:.5}, {:.5}", l.latitude, l.longitude)))
                                    }
                                    (_, _) if matches!(a, townhall_services::Answer::Photo(_)) && case.resident == Some(user.id) => {
                                        (photo_link(&format!("/requests/{}", case.reference), a))
                                    }
                                    _ => (answer_text(q, a, None)),
                                }
                            } }
                        }
                    }
                }
            }
            h2 { "What has happened" }
            ol class="list" {
                @for e in &history {
                    li {
                        strong { (e.at.human()) } ": "
                        @match (e.kind.as_str(), &e.status) {
                            ("created", _) => "Received",
                            (_, Some(st)) => (status_label(st)),
                            _ => "Update",
                        }
                        @if let Some(n) = &e.note { br; (n) }
                    }
                }
            }
            p { a href="/dashboard" { "Back to your account" } }
        },
    ))
}

/// A link to the photo given as answer `a`, under `base` (the case's page).
pub fn photo_link(base: &str, a: &townhall_services::Answer) -> Markup {
    match a {
        townhall_services::Answer::Photo(id) => {
            html! { a href={ (base) "/photos/" (id) } { "View the photo" } }
        }
        _ => html! {},
    }
}

/// A stored photo as a response: its type as read from its content, never
/// sniffed again by the browser, never cached by shared caches, and sandboxed
/// so that nothing in it could run.
pub fn photo_response(a: Attachment) -> Response {
    let extension = a.image_type.media_type().trim_start_matches("image/");
    (
        [
            (header::CONTENT_TYPE, a.image_type.media_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"photo-{}.{extension}\"", a.id),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        a.content,
    )
        .into_response()
}

/// A photo the resident sent with their request.
pub async fn photo(
    State(state): State<AppState>,
    v: Visitor,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = v.resident(Action::Read)?;
    let council = state.council().id;
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    let (case, _) = townhall_cases::own_case(state.store(), council, user.id, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = townhall_cases::attachments::own(state.store(), council, user.id, case.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(photo_response(found))
}
