//! On the resident's dashboard: each referral the council made because of
//! what it noticed at their home, what made it, whom it asked and what they
//! said, in plain English.

use maud::html;
use townhall_identity::User;
use townhall_triggers::firing::{self, Firing, Status};
use townhall_triggers::said::Check;
use townhall_types::day;
use townhall_web::{AppState, Drawing};

/// The card, when there is anything to say.
pub(crate) fn referrals<'a>(state: &'a AppState, user: &'a User) -> Drawing<'a> {
    Box::pin(async move {
        let made = firing::of_account(state.store(), state.council().id, user.id).await?;
        if made.is_empty() {
            return Ok(html! {});
        }
        Ok(html! {
            div class="card" {
                h2 { "Help we asked for you" }
                @for f in &made {
                    h3 { "We asked " (f.recipient_name) " to get in touch" }
                    p { (because(f)) }
                    p { (answer(f)) }
                }
            }
        })
    })
}

/// "Because your bin was not put out on …, you are 70 or over, and …, we
/// asked … to get in touch with you. You said yes on … to “…”."
fn because(f: &Firing) -> String {
    let (consent, reasons): (Vec<&Check>, Vec<&Check>) =
        f.checks.iter().partition(|c| c.fact == "consent");
    let reasons: Vec<String> = reasons.iter().map(|c| c.to_resident.clone()).collect();
    let mut text = format!(
        "Because {}, we asked {} to get in touch with you on {}.",
        list(&reasons),
        f.recipient_name,
        day::long(f.fired_at.uk_date())
    );
    for c in consent {
        text.push(' ');
        text.push_str(&c.to_resident);
        text.push('.');
    }
    text
}

/// "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn answer(f: &Firing) -> String {
    let who = &f.recipient_name;
    match (&f.answered, f.status, &f.outcome) {
        (Some(a), Status::Accepted, Some((outcome, _))) => format!(
            "{who} took it on on {}. What happened: {outcome}",
            day::long(a.at.uk_date())
        ),
        (Some(a), Status::Accepted, None) => {
            format!("{who} took it on on {}.", day::long(a.at.uk_date()))
        }
        (Some(a), Status::Declined, _) => format!(
            "{who} did not take it on, and said: {}",
            a.note.as_deref().unwrap_or("no reason given")
        ),
        (_, Status::Withdrawn, _) => {
            format!("You said no before {who} answered, so we took the referral back.")
        }
        _ => format!("{who} has not answered yet."),
    }
}
