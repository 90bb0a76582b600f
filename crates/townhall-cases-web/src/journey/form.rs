//! What a service's pages show: each question as its GOV.UK pattern (with
//! its hint and error), the form, and "check your answers".

use maud::{html, Markup};
use townhall_cases::{Requester, Submission};
use townhall_places::Address;
use townhall_services::field as first;
use townhall_services::{FormInput, LocationKind, Question, QuestionKind, Service, Slot};
use townhall_types::UserId;

use super::{hidden_fields, photo_name_field, slots, ASSISTING, GUEST_EMAIL, GUEST_NAME};
use crate::answers::answer_text;
use townhall_types::day;
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::layout::{csrf, error_summary, page, title, Errors};
use townhall_web::AppState;

fn error_for<'a>(errors: &'a Errors, q: &Question) -> Option<&'a str> {
    errors.get(&q.id)
}

fn hint_and_error(id: &str, hint: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(h) = hint { span class="hint" id={ (id) "-hint" } { (h) } }
        @if let Some(e) = error { span class="error-message" id={ (id) "-error" } { span class="visually-hidden" { "Error: " } (e) } }
    }
}

fn described(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn question_field(
    q: &Question,
    input: &FormInput,
    errors: &Errors,
    found: &[Address],
    slots: &[Slot],
) -> Markup {
    let error = error_for(errors, q);
    let value = first(input, &q.id);
    let group = if error.is_some() {
        "form-group form-group--error"
    } else {
        "form-group"
    };
    let aria = described(&q.id, q.hint.is_some(), error.is_some());
    let optional = if q.required { "" } else { " (optional)" };
    html! {
        div class=(group) {
            @match q.kind {
                QuestionKind::Text | QuestionKind::Number => {
                    label for=(q.id) { (q.label) (optional) }
                    (hint_and_error(&q.id, q.hint.as_deref(), error))
                    input type="text" id=(q.id) name=(q.id) value=(value)
                        class=[error.map(|_| "input--error")]
                        inputmode=[(q.kind == QuestionKind::Number).then_some("decimal")]
                        aria-describedby=[aria.as_deref()];
                }
                QuestionKind::LongText => {
                    label for=(q.id) { (q.label) (optional) }
                    (hint_and_error(&q.id, q.hint.as_deref(), error))
                    textarea id=(q.id) name=(q.id) rows="5" class=[error.map(|_| "input--error")] aria-describedby=[aria.as_deref()] { (value) }
                }
                QuestionKind::Date => {
                    fieldset role="group" aria-describedby=[aria.as_deref()] {
                        legend { (q.label) (optional) }
                        (hint_and_error(&q.id, q.hint.as_deref(), error))
                        @let part = |p: &str| first(input, &format!("{}-{p}", q.id)).to_owned();
                        (townhall_web::layout::date_parts(&q.id, [&part("day"), &part("month"), &part("year")], error.is_some(), None))
                    }
                }
                QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::YesNo => {
                    @let multiple = q.kind == QuestionKind::MultipleChoice;
                    @let chosen: Vec<&str> = input.get(&q.id).into_iter().flatten().map(String::as_str).collect();
                    @let options: Vec<(String, String)> = if q.kind == QuestionKind::YesNo {
                        vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())]
                    } else {
                        q.choices.iter().map(|c| (c.value.clone(), c.label.clone())).collect()
                    };
                    fieldset aria-describedby=[aria.as_deref()] {
                        legend { (q.label) (optional) }
                        (hint_and_error(&q.id, q.hint.as_deref(), error))
                        @for (n, (value, label)) in options.iter().enumerate() {
                            @let id = if n == 0 { q.id.clone() } else { format!("{}-{value}", q.id) };
                            div class=(if multiple { "checkboxes__item" } else { "radios__item" }) {
                                input type=(if multiple { "checkbox" } else { "radio" }) id=(id) name=(q.id) value=(value) checked[chosen.contains(&value.as_str())];
                                label for=(id) { (label) }
                            }
                        }
                    }
                }
                QuestionKind::Slot => {
                    @let chosen = value;
                    fieldset aria-describedby=[aria.as_deref()] {
                        legend { (q.label) }
                        (hint_and_error(&q.id, q.hint.as_deref(), error))
                        @if slots.is_empty() {
                            p { "There are no days left to book in the next few weeks. Try again later." }
                        }
                        @for (n, slot) in slots.iter().enumerate() {
                            @let value = slot.date.to_string();
                            @let id = if n == 0 { q.id.clone() } else { format!("{}-{value}", q.id) };
                            div class="radios__item" {
                                input type="radio" id=(id) name=(q.id) value=(value) checked[chosen == value];
                                label for=(id) { (day::with_weekday(slot.date)) " (" (slot.remaining) " left)" }
                            }
                        }
                    }
                }
                QuestionKind::Location => {
                    (location_field(q, input, error, found))
                }
                QuestionKind::Photo => {
                    @let uploaded = first(input, &photo_name_field(q));
                    label for=(q.id) { (q.label) (optional) }
                    @if value.is_empty() {
                        (hint_and_error(&q.id, Some(q.hint.as_deref().unwrap_or("A photo in JPG, PNG or WebP format, smaller than 10 MB")), error))
                    } @else {
                        (hint_and_error(&q.id, Some(&format!("You have uploaded {}. Choose another file only to replace it.", if uploaded.is_empty() { "a photo" } else { uploaded })), error))
                        input type="hidden" name=(q.id) value=(value);
                        input type="hidden" name=(photo_name_field(q)) value=(uploaded);
                    }
                    input type="file" id=(q.id) name=(q.id) accept="image/jpeg,image/png,image/webp"
                        class=[error.map(|_| "file-upload--error")]
                        aria-describedby={ (q.id) "-hint" @if error.is_some() { " " (q.id) "-error" } };
                }
            }
        }
    }
}

fn location_field(
    q: &Question,
    input: &FormInput,
    error: Option<&str>,
    found: &[Address],
) -> Markup {
    let postcode_field = format!("{}-postcode", q.id);
    let uprn_field = format!("{}-uprn", q.id);
    let chosen = first(input, &uprn_field);
    let by_address = q.accept.contains(&LocationKind::Address);
    let by_point = q.accept.contains(&LocationKind::Point);
    html! {
        fieldset {
            legend { (q.label) }
            (hint_and_error(&q.id, q.hint.as_deref(), error))
            @if by_address {
                div class="form-group" id=(q.id) {
                    label for=(postcode_field) { "Postcode" }
                    input class="input--width-10" type="text" id=(postcode_field) name=(postcode_field) value=(first(input, &postcode_field)) autocomplete="postal-code";
                    " "
                    button class="button button--secondary" type="submit" name="action" value="find-address" { "Find address" }
                }
                @if !found.is_empty() {
                    div class="form-group" {
                        label for=(uprn_field) { "Choose the address" }
                        select id=(uprn_field) name=(uprn_field) {
                            option value="" { (found.len()) @if found.len() == 1 { " address found" } @else { " addresses found" } }
                            @for a in found {
                                option value=(a.uprn) selected[a.uprn == chosen] { (a.one_line()) }
                            }
                        }
                    }
                } @else if !chosen.is_empty() {
                    input type="hidden" name=(uprn_field) value=(chosen);
                }
            }
            @if by_point {
                @let lat = format!("{}-latitude", q.id);
                @let lon = format!("{}-longitude", q.id);
                p { @if by_address { "Or give the exact point:" } @else { "Give the exact point:" } }
                div class="date-input" {
                    div class="form-group" { label for=(lat) { "Latitude" } input class="input--width-10" type="text" inputmode="decimal" id=(lat) name=(lat) value=(first(input, &lat)); }
                    div class="form-group" { label for=(lon) { "Longitude" } input class="input--width-10" type="text" inputmode="decimal" id=(lon) name=(lon) value=(first(input, &lon)); }
                }
            }
        }
    }
}

pub(super) async fn form_page(
    state: &AppState,
    v: &Visitor,
    s: &Service,
    input: &FormInput,
    errors: &Errors,
    found: &[Address],
) -> Result<Markup, AppError> {
    let slots = slots(state, s).await?;
    let guest = v.user.is_none();
    let assisting = match first(input, ASSISTING).parse::<UserId>() {
        Ok(id) if v.staff.is_some() => {
            townhall_identity::accounts::get(state.store(), state.council().id, id)
                .await?
                .map(|u| u.display_name)
        }
        _ => None,
    };
    let whole = errors.get("");
    Ok(page(
        v,
        &state.council().name,
        &title(errors, &s.name),
        html! {
            (error_summary(errors))
            span class="caption" { (s.group) }
            h1 { (s.name) }
            @if let Some(e) = whole { p class="error-message" { (e) } }
            @if let Some(name) = &assisting {
                div class="inset-text" { "You are making this request for " strong { (name) } ". It will be recorded as made by you on their behalf, and they will be sent the confirmation." }
            }
            @let uploads = s.questions.iter().any(|q| q.kind == QuestionKind::Photo);
            form method="post" action={ "/services/" (s.id) "/answers" } novalidate enctype=[uploads.then_some("multipart/form-data")] {
                (csrf(v))
                @if assisting.is_some() { input type="hidden" name=(ASSISTING) value=(first(input, ASSISTING)); }
                @for q in &s.questions { (question_field(q, input, errors, found, &slots)) }
                @if guest {
                    h2 { "Your details (optional)" }
                    p { "Give your email address if you want a confirmation and updates." }
                    @let email_error = errors.get(GUEST_EMAIL);
                    @let name_error = errors.get(GUEST_NAME);
                    div class={ "form-group" @if name_error.is_some() { " form-group--error" } } {
                        label for=(GUEST_NAME) { "Your name" }
                        (hint_and_error(GUEST_NAME, None, name_error))
                        input class=[name_error.map(|_| "input--error")] type="text" id=(GUEST_NAME) name=(GUEST_NAME) value=(first(input, GUEST_NAME)) autocomplete="name" spellcheck="false" aria-describedby=[described(GUEST_NAME, false, name_error.is_some())];
                    }
                    div class={ "form-group" @if email_error.is_some() { " form-group--error" } } {
                        label for=(GUEST_EMAIL) { "Your email address" }
                        (hint_and_error(GUEST_EMAIL, None, email_error))
                        input type="email" id=(GUEST_EMAIL) name=(GUEST_EMAIL) value=(first(input, GUEST_EMAIL)) autocomplete="email" spellcheck="false";
                    }
                }
                button class="button" type="submit" { "Continue" }
            }
        },
    ))
}

pub(super) fn check_page(
    state: &AppState,
    v: &Visitor,
    s: &Service,
    input: &FormInput,
    ready: &Submission<'_>,
) -> Markup {
    let (answers, location, requester) =
        (&ready.answers, ready.location.as_ref(), &ready.requester);
    let place = location.map(|l| {
        let w = &l.whereabouts;
        match (&w.ward, &w.parish) {
            (Some(ward), Some(parish)) => format!("{} ward, {}", ward.name, parish.name),
            (Some(ward), None) => format!("{} ward", ward.name),
            _ => "Outside the council's wards".to_owned(),
        }
    });
    page(
        v,
        &state.council().name,
        "Check your answers",
        html! {
            span class="caption" { (s.name) }
            h1 { "Check your answers before sending" }
            // One form: each row's "Change" goes back to the questions, at its own
            // (the answers travel with it, as nothing is kept between pages).
            form method="post" action={ "/services/" (s.id) "/answers" } {
                (csrf(v))
                (hidden_fields(input))
                dl class="summary-list" {
                    @for q in &s.questions {
                        div class="summary-list__row" {
                            dt { (q.short_name()) }
                            dd { (answers.get(&q.id).map(|a| answer_text(q, a, location)).unwrap_or_else(|| "Not given".to_owned())) }
                            dd class="summary-list__actions" {
                                button class="link-button" type="submit" name="action" value="change"
                                    formaction={ "/services/" (s.id) "/answers#" (q.id) } {
                                    "Change" span class="visually-hidden" { " " (q.short_name().to_lowercase()) }
                                }
                            }
                        }
                    }
                    @if let Some(p) = &place {
                        div class="summary-list__row" { dt { "Area" } dd { (p) } dd class="summary-list__actions" {} }
                    }
                    @if let Requester::Guest { name, email, .. } = requester {
                        div class="summary-list__row" {
                            dt { "Your name" }
                            dd { (name.as_deref().unwrap_or("Not given")) }
                            dd class="summary-list__actions" {
                                button class="link-button" type="submit" name="action" value="change"
                                    formaction={ "/services/" (s.id) "/answers#" (GUEST_NAME) } {
                                    "Change" span class="visually-hidden" { " your name" }
                                }
                            }
                        }
                        div class="summary-list__row" {
                            dt { "Your email address" }
                            dd { (email.as_ref().map(ToString::to_string).unwrap_or_else(|| "Not given".to_owned())) }
                            dd class="summary-list__actions" {
                                button class="link-button" type="submit" name="action" value="change"
                                    formaction={ "/services/" (s.id) "/answers#" (GUEST_EMAIL) } {
                                    "Change" span class="visually-hidden" { " your email address" }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(fee) = &s.fee {
            h2 { "Payment" }
            p { "This costs " strong { (fee.display()) } " (" (fee.description) "). You pay on the next page; your request is sent once it is paid." }
        }
        h2 { "Now send your request" }
            p { "By sending this you confirm that the details are correct to the best of your knowledge." }
            form method="post" action={ "/services/" (s.id) "/submit" } {
                (csrf(v))
                (hidden_fields(input))
                button class="button" type="submit" { (if s.fee.is_some() { "Continue to payment" } else { "Send" }) }
            }
        },
    )
}
