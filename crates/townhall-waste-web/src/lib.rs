//! Waste collections on the web: a resident's next collection of each bin,
//! on their dashboard, with any moved for a bank holiday and why.

use axum::Router;
use maud::html;
use townhall_identity::{profiles, User};
use townhall_store::Store;
use townhall_types::{day, Timestamp};
use townhall_waste::Collections;
use townhall_web::{layout, AppState, Drawing, Panel, Served};

/// What waste serves: a card on the resident's dashboard.
pub const WEB: Served = Served {
    routes,
    panels: &[Panel {
        rank: 35,
        draw: next_collections,
    }],
    largest_file: 0,
    openapi: None,
};

/// No pages of its own yet.
fn routes(_: &Store) -> Router<AppState> {
    Router::new()
}

/// The resident's next collections, when the council keeps its rounds here.
fn next_collections<'a>(state: &'a AppState, user: &'a User) -> Drawing<'a> {
    Box::pin(async move {
        let Some(collections) = state.settings().get::<Collections>() else {
            return Ok(html! {});
        };
        if collections.rounds.is_empty() {
            return Ok(html! {});
        }
        let council = state.council().id;
        let profile = profiles::read_own(state.store(), council, user.id)
            .await?
            .unwrap_or_default();
        let address = match &profile.uprn {
            Some(uprn) => townhall_places::address(state.store(), council, uprn).await?,
            None => None,
        };
        let today = Timestamp::now().uk_date();
        Ok(html! {
            div class="card" {
                h2 { "Your bin collections" }
                @match &address {
                    None => p { "Your collection days are shown here once the council knows your address." },
                    Some(home) => {
                        @let next = collections.next(home, today);
                        @if next.is_empty() {
                            (layout::empty("Your address is not on any of the council's collection rounds."))
                        } @else {
                            dl class="summary-list" {
                                @for n in &next {
                                    div class="summary-list__row" {
                                        dt { (n.container.name) span class="hint" { " (" (n.container.description) ")" } }
                                        dd {
                                            (day::with_weekday(n.on))
                                            @if let Some(change) = n.moved {
                                                br;
                                                span class="hint" { "Instead of " (day::with_weekday(change.instead_of)) ", because of " (change.reason) }
                                            }
                                        }
                                    }
                                }
                            }
                            p class="hint" { "Put your bins out by 7am on the day." }
                        }
                    }
                }
            }
        })
    })
}
