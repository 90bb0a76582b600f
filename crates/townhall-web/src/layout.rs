//! The page shell and the GOV.UK-pattern components every page is built from.

use maud::{html, Markup, DOCTYPE};

/// What the page shell knows of whoever is looking: which navigation they
/// get and the form token their forms carry. The web layer's visitor
/// (`auth::Visitor`) gives it.
#[derive(Debug, Clone, Copy)]
pub struct Chrome<'a> {
    /// Who is signed in, if anyone.
    pub signed_in: Option<SignedIn>,
    /// Whether the page is a sign-in page, whose header offers no sign-in.
    pub signing_in: bool,
    /// The CSRF token for their forms.
    pub csrf: &'a str,
}

/// Who is signed in, as the navigation sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedIn {
    /// A resident.
    Resident,
    /// A member of staff.
    Staff,
    /// A member of a partner organisation's staff.
    Partner,
}

/// A full page for a visitor: header with their navigation, main content, footer.
pub fn page<'a>(v: impl Into<Chrome<'a>>, council: &str, title: &str, content: Markup) -> Markup {
    shell(title, council, Some(v.into()), content)
}

/// A page without visitor context (errors).
pub fn bare(title: &str, content: Markup) -> Markup {
    shell(title, "Townhall", None, content)
}

fn shell(title: &str, council: &str, v: Option<Chrome<'_>>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (council) }
                link rel="icon" href="/favicon.ico" sizes="32x32";
                link rel="stylesheet" href="/assets/site.css";
                script src="/assets/passkey.js" defer {}
            }
            body {
                a class="skip-link" href="#main" { "Skip to main content" }
                header class="header" {
                    div class="header__inner" {
                        a class="header__name" href="/" { (council) }
                        @if let Some(v) = v {
                            nav aria-label="Account" {
                                ul class="header__nav" {
                                    @match v.signed_in {
                                        Some(SignedIn::Staff) => {
                                            li { a href="/staff" { "Staff home" } }
                                            li { (sign_out(v)) }
                                        }
                                        Some(SignedIn::Partner) => {
                                            li { a href="/partner" { "Your organisation" } }
                                            li { (sign_out(v)) }
                                        }
                                        Some(SignedIn::Resident) => {
                                            li { a href="/dashboard" { "Your account" } }
                                            li { a href="/account/consent" { "Data sharing" } }
                                            li { (sign_out(v)) }
                                        }
                                        _ if v.signing_in => {}
                                        _ => {
                                            li { a href="/sign-in" { "Sign in" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div class="width-container" {
                    section class="phase-banner" aria-label="About this service" {
                        p { strong class="tag" { "Beta" } "This is a new service. Your feedback helps us improve it." }
                    }
                    main id="main" { (content) }
                }
                footer class="footer" {
                    div class="width-container" {
                        @if v.is_some() {
                            p { "Run by " (council) " on Townhall, open-source software for councils." }
                        } @else {
                            p { "Townhall, open-source software for councils." }
                        }
                        p { a href="/accessibility" { "Accessibility statement" } " · " a href="/privacy" { "How we use your information" } }
                    }
                }
            }
        }
    }
}

fn sign_out(v: Chrome<'_>) -> Markup {
    html! {
        form method="post" action="/sign-out" {
            (csrf(v))
            button class="link-button" type="submit" { "Sign out" }
        }
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf<'a>(v: impl Into<Chrome<'a>>) -> Markup {
    html! { input type="hidden" name="csrf" value=(v.into().csrf); }
}

/// Validation errors: field id → message, in form order.
pub type Errors = townhall_types::FieldErrors;

/// The error summary at the top of a form, linking to each field.
pub fn error_summary(errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="error-summary" role="alert" tabindex="-1" {
                h2 { "There is a problem" }
                ul {
                    @for (field, message) in errors.iter() {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// The title for a page whose form has errors starts "Error: ", as GOV.UK pages do.
pub fn title(errors: &Errors, title: &str) -> String {
    if errors.is_empty() {
        title.to_owned()
    } else {
        format!("Error: {title}")
    }
}

/// A labelled text input with optional hint and error.
pub struct Input<'a> {
    /// The field's name, also its id.
    pub name: &'a str,
    /// Its label.
    pub label: &'a str,
    /// Its `type`, e.g. `text` or `email`.
    pub kind: &'a str,
    /// The value to show.
    pub value: &'a str,
    /// A hint below the label.
    pub hint: Option<&'a str>,
    /// Its `autocomplete` token.
    pub autocomplete: Option<&'a str>,
}

impl Input<'_> {
    /// The field, with its error from `errors` if it has one.
    pub fn render(&self, errors: &Errors) -> Markup {
        let error = errors.get(self.name);
        let hint_id = format!("{}-hint", self.name);
        let error_id = format!("{}-error", self.name);
        let mut described = Vec::new();
        if self.hint.is_some() {
            described.push(hint_id.clone());
        }
        if error.is_some() {
            described.push(error_id.clone());
        }
        let described = described.join(" ");
        html! {
            div class={ "form-group" @if error.is_some() { " form-group--error" } } {
                label for=(self.name) { (self.label) }
                @if let Some(h) = self.hint { span class="hint" id=(hint_id) { (h) } }
                @if let Some(e) = error { span class="error-message" id=(error_id) { span class="visually-hidden" { "Error: " } (e) } }
                input
                    class=@if error.is_some() { "input--error" }
                    type=(self.kind) id=(self.name) name=(self.name)
                    value=(if self.kind == "password" { "" } else { self.value })
                    autocomplete=[self.autocomplete]
                    aria-describedby=[(!described.is_empty()).then_some(described.as_str())]
                    spellcheck=[(self.kind == "email").then_some("false")];
            }
        }
    }
}

/// The day, month and year boxes of a GOV.UK date input for the field
/// `name`, posted as `name-day`, `name-month` and `name-year`, holding
/// `values`. The day box carries the field's own id, so that the error
/// summary's link to the field lands in it, as GOV.UK's pattern asks.
pub fn date_parts(
    name: &str,
    values: [&str; 3],
    error: bool,
    autocomplete: Option<[&str; 3]>,
) -> Markup {
    let parts = [
        ("day", "Day", "input--width-2"),
        ("month", "Month", "input--width-2"),
        ("year", "Year", "input--width-4"),
    ];
    html! {
        div class="date-input" {
            @for (i, (part, label, width)) in parts.into_iter().enumerate() {
                @let field = format!("{name}-{part}");
                @let id = if i == 0 { name.to_owned() } else { field.clone() };
                div class="form-group" {
                    label for=(id) { (label) }
                    input class={ (width) @if error { " input--error" } } type="text" inputmode="numeric"
                        id=(id) name=(field) value=(values[i])
                        autocomplete=[autocomplete.map(|a| a[i])];
                }
            }
        }
    }
}

/// A stored date (`1961-10-24`) as GOV.UK writes dates: `24 October 1961`;
/// what is not a date is shown as stored.
pub fn long_date(iso: &str) -> String {
    const STORED: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(iso, STORED)
        .map(townhall_types::day::long)
        .unwrap_or_else(|_| iso.to_owned())
}

/// What a card or list says when it has nothing to show yet.
pub fn empty(text: &str) -> Markup {
    html! { p class="empty" { (text) } }
}

/// A green confirmation or blue information banner.
pub fn banner(success: bool, heading: &str, body: Markup) -> Markup {
    html! {
        div class={ "notification-banner" @if success { " notification-banner--success" } } role=(if success { "alert" } else { "region" }) aria-labelledby="banner-title" {
            h2 class="notification-banner__title" id="banner-title" { (if success { "Success" } else { "Important" }) }
            div class="notification-banner__content" {
                h3 { (heading) }
                (body)
            }
        }
    }
}

/// The "Signing in" section of an account's page: its passkeys, each with
/// a button removing it, and one adding another (shown only where the
/// browser has passkeys and runs the page's script).
pub fn passkeys<'a>(
    v: impl Into<Chrome<'a>> + Copy,
    keys: &[townhall_identity::passkeys::PasskeySummary],
) -> Markup {
    html! {
        h2 { "Signing in" }
        p { "A passkey lets you sign in with your fingerprint, face or screen lock instead of a password. It is kept on your device, and nobody can guess it." }
        @if keys.is_empty() {
            p { "You have not added a passkey." }
        } @else {
            table class="table" {
                caption class="visually-hidden" { "Your passkeys" }
                thead { tr { th scope="col" { "Added" } th scope="col" { "Last used" } th scope="col" { span class="visually-hidden" { "Action" } } } }
                tbody {
                    @for (n, key) in keys.iter().enumerate() {
                        tr {
                            td { (key.created_at.human()) }
                            td { (key.last_used_at.map(|t| t.human()).unwrap_or_else(|| "Not yet".to_owned())) }
                            td {
                                form method="post" action={ "/account/passkeys/" (key.credential_id) "/remove" } {
                                    (csrf(v))
                                    button class="button button--warning" type="submit" { "Remove" span class="visually-hidden" { " passkey " (n + 1) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        form id="passkey-register" class="passkey-only" method="post" action="/account/passkeys/start" {
            (csrf(v))
            div class="form-group" id="passkey-register-group" {
                button class="button button--secondary" type="submit" { "Add a passkey" }
            }
        }
        p class="no-passkeys" { "To add a passkey, use a browser that supports them, with JavaScript turned on." }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_dates_are_written_as_gov_uk_writes_them() {
        assert_eq!(long_date("1961-10-24"), "24 October 1961");
        assert_eq!(long_date("2001-02-03"), "3 February 2001");
        assert_eq!(long_date("not a date"), "not a date");
    }
}
