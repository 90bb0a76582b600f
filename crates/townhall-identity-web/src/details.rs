//! A resident's name and date of birth: read from a form the way sign-up
//! and the page that changes them both do, and that page
//! (`/account/details`). They are the resident's own words: whoever typed
//! them first (perhaps someone who signed up with their address before they
//! confirmed it), the resident may put them right.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use townhall_authz::Action;
use townhall_identity::profiles::{self, OwnDetails};
use townhall_types::text::PersonName;

use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Form;
use townhall_web::layout::{self, csrf, error_summary, page, Errors, Input};
use townhall_web::AppState;

/// A name and date of birth as typed.
#[derive(Deserialize, Default, Clone)]
pub struct DetailsForm {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default, rename = "date_of_birth-day")]
    pub birth_day: String,
    #[serde(default, rename = "date_of_birth-month")]
    pub birth_month: String,
    #[serde(default, rename = "date_of_birth-year")]
    pub birth_year: String,
}

impl DetailsForm {
    /// The form filled with `details`.
    fn of(details: &OwnDetails) -> Self {
        let parts = details.date_of_birth.as_deref().and_then(|d| {
            time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).ok()
        });
        DetailsForm {
            given_name: details.given_name.clone(),
            family_name: details.family_name.clone(),
            birth_day: parts.map(|d| d.day().to_string()).unwrap_or_default(),
            birth_month: parts
                .map(|d| u8::from(d.month()).to_string())
                .unwrap_or_default(),
            birth_year: parts.map(|d| d.year().to_string()).unwrap_or_default(),
        }
    }

    /// The details, checked; each mistake is put in `errors` against its
    /// field, as GOV.UK's patterns have them.
    pub fn read(&self, errors: &mut Errors) -> Option<OwnDetails> {
        let mut name = |field: &str, what: &str, typed: &str| match PersonName::parse(typed) {
            Ok(Some(name)) => Some(name.into_string()),
            Ok(None) => {
                errors.push(field, format!("Enter your {}", what.to_lowercase()));
                None
            }
            Err(too_long) => {
                errors.push(field, format!("{what} {too_long}"));
                None
            }
        };
        let given_name = name("given_name", "First name", &self.given_name);
        let family_name = name("family_name", "Last name", &self.family_name);
        let date_of_birth = match self.date_of_birth() {
            Ok(d) => d,
            Err(e) => {
                errors.push("date_of_birth", e);
                None
            }
        };
        if !errors.is_empty() {
            return None;
        }
        Some(OwnDetails {
            given_name: given_name?,
            family_name: family_name?,
            date_of_birth: date_of_birth.map(|d| d.to_string()),
        })
    }

    /// The date of birth given: `Ok(None)` when the boxes are empty, the
    /// GOV.UK message when they do not make a real date in the past.
    fn date_of_birth(&self) -> Result<Option<time::Date>, String> {
        let parts = [&self.birth_day, &self.birth_month, &self.birth_year].map(String::as_str);
        match townhall_services::read_date(parts, "Date of birth")? {
            Some(d) if d >= time::OffsetDateTime::now_utc().date() => {
                Err("Date of birth must be in the past".into())
            }
            read => Ok(read),
        }
    }

    /// The name and date of birth questions.
    pub fn fields(&self, errors: &Errors) -> Markup {
        let dob_error = errors.get("date_of_birth");
        html! {
            (Input { name: "given_name", label: "First name", kind: "text", value: &self.given_name, hint: None, autocomplete: Some("given-name") }.render(errors))
            (Input { name: "family_name", label: "Last name", kind: "text", value: &self.family_name, hint: None, autocomplete: Some("family-name") }.render(errors))
            div class={ "form-group" @if dob_error.is_some() { " form-group--error" } } {
                fieldset role="group" aria-describedby={ "date_of_birth-hint" @if dob_error.is_some() { " date_of_birth-error" } } {
                    legend { "Date of birth (optional)" }
                    span class="hint" id="date_of_birth-hint" { "We use it, with your email address, to match you to the council's records about you, such as council tax. For example, 27 3 1985" }
                    @if let Some(e) = dob_error { p class="error-message" id="date_of_birth-error" { span class="visually-hidden" { "Error: " } (e) } }
                    (layout::date_parts("date_of_birth", [&self.birth_day, &self.birth_month, &self.birth_year], dob_error.is_some(), Some(["bday-day", "bday-month", "bday-year"])))
                }
            }
        }
    }
}

fn details_page(state: &AppState, v: &Visitor, f: &DetailsForm, errors: &Errors) -> Markup {
    page(
        v,
        &state.council().name,
        &layout::title(errors, "Change your name or date of birth"),
        html! {
            (error_summary(errors))
            h1 { "Change your name or date of birth" }
            form method="post" action="/account/details" novalidate {
                (csrf(v))
                (f.fields(errors))
                button class="button" type="submit" { "Save" }
            }
            p { a href="/account" { "Back to your details" } }
        },
    )
}

/// The form, filled with what the account holds.
pub async fn form(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    let user = v.resident(Action::Read)?;
    let profile = profiles::read_own(state.store(), state.council().id, user.id)
        .await?
        .unwrap_or_default();
    let f = DetailsForm::of(&OwnDetails {
        given_name: profile.given_name,
        family_name: profile.family_name,
        date_of_birth: profile.date_of_birth,
    });
    Ok(details_page(&state, &v, &f, &Errors::default()))
}

/// Saves the details, and links the account again under them in the
/// resident index.
pub async fn save(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<DetailsForm>,
) -> Result<Response, AppError> {
    let user = v.resident(Action::Write)?;
    let mut errors = Errors::default();
    let Some(details) = f.read(&mut errors) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            details_page(&state, &v, &f, &errors),
        )
            .into_response());
    };
    profiles::change_own(state.store(), state.council().id, user.id, &details).await?;
    crate::links::link_account(&state, user.id).await;
    Ok(Redirect::to("/account?details=changed").into_response())
}
