//! Pages anyone can see.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use maud::{html, Markup};

use crate::auth::Visitor;
use crate::error::AppError;
use crate::layout::page;
use crate::AppState;

pub async fn start(State(state): State<AppState>, v: Visitor) -> Markup {
    let name = &state.council().name;
    page(
        &v,
        name,
        "Your council account",
        html! {
            h1 { "Your " (name) " account" }
            p class="lead" { "One account for the council's online services." }
            p { "With an account you can:" }
            ul {
                li { "see your requests, applications, permits and messages in one place" }
                li { "choose who the council may share your information with, and for how long" }
                li { "see who has looked at your information, and why" }
            }
            p { "You can sign in with a password, or with your fingerprint or face on a phone or laptop that supports it." }
            a class="button button--start" href="/sign-up" role="button" draggable="false" { "Create an account" }
            p { "Already have an account? " a href="/sign-in" { "Sign in" } "." }
            h2 { "Other ways to get help" }
            p { "If you cannot use the internet or need help, phone 01632 960 000 (Monday to Friday, 9am to 5pm) or visit any library. Staff can do it with you." }
            p { a href="/staff/sign-in" { "Council staff sign in" } }
        },
    )
}

pub async fn accessibility(State(state): State<AppState>, v: Visitor) -> Markup {
    page(
        &v,
        &state.council().name,
        "Accessibility statement",
        html! {
            h1 { "Accessibility statement" }
            p { "This service is built to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page works without JavaScript, on small screens, and with screen readers, magnifiers and voice control." }
            p { "Every page is checked automatically with axe-core in a real browser before each release." }
            h2 { "If you have a problem" }
            p { "Phone 01632 960 000 and tell us what went wrong. We will reply within 5 working days." }
        },
    )
}

pub async fn privacy(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let policy: &townhall_consent::Policy = state.setting()?;
    Ok(page(
        &v,
        &state.council().name,
        "How we use your information",
        html! {
            h1 { "How we use your information" }
            p { "These are all the reasons the council may use or share your information, who with, and the law that allows it." }
            @for p in &policy.purposes {
                h2 { (p.title) }
                p { (p.description) }
                dl class="summary-list" {
                    div class="summary-list__row" { dt { "Shared with" } dd { (p.recipients.iter().filter_map(|r| policy.recipient(r)).map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")) } }
                    div class="summary-list__row" { dt { "Information shared" } dd { (p.fields.join(", ").replace('_', " ")) } }
                    div class="summary-list__row" { dt { "Legal basis" } dd { (p.legal_basis.label()) } }
                    div class="summary-list__row" { dt { "Your choice" } dd { (p.default.to_residents()) } }
                }
                @if let Some(reason) = &p.reason { div class="inset-text" { (reason) } }
            }
            h2 id="cookies" { "Cookies" }
            p { "This site sets only the cookies it needs to work and to keep your account safe, so it does not ask first. None is used to track you or shared with anyone." }
            table {
                thead { tr { th scope="col" { "Cookie" } th scope="col" { "What it is for" } th scope="col" { "How long it is kept" } } }
                tbody {
                    tr { td { "Session" } td { "Keeps you signed in as you move between pages" } td { "Until you sign out, or 7 days (10 hours for council staff)" } }
                    tr { td { "Form protection" } td { "Proves a form you send came from this site, so other sites cannot send forms in your name" } td { "Until you close your browser" } }
                    tr { td { "Device" } td { "Remembers that you have signed in on this browser before, so that wrong passwords sent by someone else cannot lock you out" } td { "1 year" } }
                }
            }
        },
    ))
}

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/site.css"),
    )
}

/// The site's icon, for browsers' tabs and bookmarks.
pub async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../../assets/favicon.ico").as_slice(),
    )
}

pub async fn passkey_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/passkey.js"),
    )
}
