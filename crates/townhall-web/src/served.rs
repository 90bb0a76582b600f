//! What a capability's web crate gives the platform: its routes, the cards
//! it adds to a resident's dashboard, and the largest file its forms take.

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use maud::Markup;
use townhall_identity::User;
use townhall_store::Store;

use crate::error::AppError;
use crate::AppState;

/// What one capability serves on every site: its pages and API, as routes on
/// the site's state, each authorised in its handler through
/// [`crate::auth::Visitor`] or [`crate::caller::ApiCaller`], behind the
/// site's CSRF, text and metrics layers. They are made once, from the store,
/// so that what they share (e.g. Open311's intake) is shared by every site.
pub type Routes = fn(&Store) -> Router<AppState>;

/// A card on a resident's dashboard, drawn.
pub type Drawing<'a> = Pin<Box<dyn Future<Output = Result<Markup, AppError>> + Send + 'a>>;

/// A card on a resident's dashboard (`/dashboard`), from a capability.
#[derive(Debug, Clone, Copy)]
pub struct Panel {
    /// Where it goes: cards are shown lowest first. The kernel's own are
    /// messages at 30, who has looked at the resident's information at 50
    /// and their account at 60.
    pub rank: u16,
    /// Draws it for the resident signed in (a `div class="card"` with an
    /// `h2`), reading only what that resident may see.
    pub draw: for<'a> fn(&'a AppState, &'a User) -> Drawing<'a>,
}

/// What a capability's web crate serves; its crate gives it as
/// `pub const WEB` and the binary lists it beside the capability's manifest.
#[derive(Debug, Clone, Copy)]
pub struct Served {
    /// Its pages and API.
    pub routes: Routes,
    /// Its cards on a resident's dashboard.
    pub panels: &'static [Panel],
    /// The largest file one of its forms takes, in bytes (0 if none): a
    /// request with files may be this and [`crate::FORM_LIMIT`] more.
    pub largest_file: usize,
    /// Its part of the OpenAPI document, if it has an API: a JSON object
    /// with `paths` and `components.schemas`, merged into
    /// `/api/openapi.json` (no path or schema named twice).
    pub openapi: Option<&'static str>,
}

impl Served {
    /// As it is, with `openapi` as its part of the OpenAPI document.
    pub const fn with_openapi(self, openapi: &'static str) -> Self {
        Served {
            openapi: Some(openapi),
            ..self
        }
    }

    /// Routes alone: no dashboard cards, no files, no API.
    pub const fn routes(routes: Routes) -> Self {
        Served {
            routes,
            panels: &[],
            largest_file: 0,
            openapi: None,
        }
    }
}
