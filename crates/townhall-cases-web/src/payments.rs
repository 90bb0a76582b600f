//! Paying for a service: the recorded provider's page, and the return from any
//! provider, where a paid request becomes a case.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use townhall_cases::paid::Settled;
use townhall_payments::{Payment, Status};
use townhall_types::PaymentId;

use crate::journey::confirmation;
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::form::Form;
use townhall_web::layout::{csrf, page};
use townhall_web::AppState;

/// The payment, if the visitor is the one who started it. Its id is
/// unguessable; a signed-in payer must also be the same person.
async fn payment(state: &AppState, v: &Visitor, id: &str) -> Result<Payment, AppError> {
    let id: PaymentId = id.parse().map_err(|_| AppError::NotFound)?;
    let p = townhall_payments::get(state.store(), state.council().id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if p.resident != v.user.as_ref().map(|u| u.id) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

fn amount(pence: u32) -> String {
    format!("£{}.{:02}", pence / 100, pence % 100)
}

pub async fn record_form(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = payment(&state, &v, &id).await?;
    if p.status != Status::Created
        || p.provider != state.setting::<townhall_payments::Payments>()?.0.name()
    {
        return Ok(Redirect::to(&format!("/payments/{}/return", p.id)).into_response());
    }
    Ok(page(&v, &state.council().name, "Confirm your payment", html! {
        h1 { "Confirm your payment" }
        dl class="summary-list" {
            div class="summary-list__row" { dt { "For" } dd { (p.description) } }
            div class="summary-list__row" { dt { "Amount" } dd { (amount(p.amount_pence)) } }
        }
        div class="inset-text" { "This council records payments here and collects them separately: no card details are asked for on this site." }
        form method="post" action={ "/payments/" (p.id) "/record" } {
            (csrf(&v))
            button class="button" type="submit" name="decision" value="pay" { "Confirm payment" }
            " "
            button class="button button--secondary" type="submit" name="decision" value="cancel" { "Cancel payment" }
        }
    })
    .into_response())
}

#[derive(Deserialize)]
pub struct Decision {
    decision: String,
}

pub async fn record(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Form(d): Form<Decision>,
) -> Result<Response, AppError> {
    let p = payment(&state, &v, &id).await?;
    if p.status == Status::Created
        && p.provider == state.setting::<townhall_payments::Payments>()?.0.name()
    {
        let status = match d.decision.as_str() {
            "pay" => Status::Success,
            "cancel" => Status::Cancelled,
            _ => {
                return Err(AppError::BadRequest(
                    "Choose to confirm or cancel the payment".into(),
                ))
            }
        };
        townhall_payments::close(state.store(), state.council().id, p.id, status).await?;
    }
    Ok(Redirect::to(&format!("/payments/{}/return", p.id)).into_response())
}

/// Where every provider sends the payer back: a paid request becomes a case.
pub async fn back(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = payment(&state, &v, &id).await?;
    let s = state
        .setting::<townhall_services::Catalogue>()?
        .get(&p.service)
        .ok_or(AppError::NotFound)?;
    let settled = townhall_cases::paid::settle(state.store(), &crate::till(&state)?, &p)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let council = &state.council().name;
    let refunded = |reasons: &[&str]| {
        page(&v, council, "Your request could not be sent", html! {
            h1 { "Your request could not be sent" }
            p { "You paid " (amount(p.amount_pence)) ", but since you started, something changed" @if reasons.is_empty() { "." } @else { ":" } }
            @if !reasons.is_empty() {
                ul class="list" { @for m in reasons { li { (m) } } }
            }
            p { "Your payment will be refunded within 5 working days. " a href={ "/services/" (s.id) "/start" } { "Start again" } "." }
        })
        .into_response()
    };
    Ok(match settled {
        Settled::Made {
            case,
            requester,
            channel,
        } => Redirect::to(&confirmation(
            &state,
            s,
            (&requester, &channel),
            &case.reference,
            false,
        ))
        .into_response(),
        Settled::MadeBefore(_) => Redirect::to("/dashboard").into_response(),
        Settled::Refused(errors) => refunded(&errors.iter().map(|(_, m)| m).collect::<Vec<_>>()),
        Settled::RefundDue => refunded(&[]),
        Settled::NotPaid(Status::Created) => {
            Redirect::to(&format!("/payments/{}/record", p.id)).into_response()
        }
        Settled::NotPaid(_) => page(&v, council, "Your payment was not taken", html! {
            h1 { "Your payment was not taken" }
            p { "Nothing has been sent and you have not been charged." }
            p { a class="button" href={ "/services/" (s.id) "/start" } role="button" { "Start again" } }
        })
        .into_response(),
    })
}
