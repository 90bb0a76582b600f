//! Demo-only pages. Never served by `townhall serve`.

use axum::extract::State;
use maud::{html, Markup};

use crate::auth::Visitor;
use crate::error::AppError;
use crate::layout::page;
use crate::AppState;

pub async fn mailbox(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    if !state.shared.settings.demo {
        return Err(AppError::NotFound);
    }
    let messages = townhall_notify::mailbox(state.store(), state.council().id, 50).await?;
    Ok(page(
        &v,
        &state.council().name,
        "Demo mailbox",
        html! {
            h1 { "Demo mailbox" }
            p { "In the demo, messages are not sent: they land here. This page does not exist on a real deployment." }
            @if messages.is_empty() {
                p class="empty" { "No messages yet. Create an account to see the confirmation email arrive." }
            }
            @for m in &messages {
                div class="card" {
                    h2 { (m.subject) }
                    p { strong { "To: " } (m.recipient) " · " (m.channel.as_str()) " · " (m.status) " · " (m.created_at) }
                    pre { (m.body) }
                }
            }
        },
    ))
}
