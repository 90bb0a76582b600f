//! A partner saying where the council's messages to it go: its webhook
//! address, set by a signed request (so only the partner's own key can
//! move its messages), audited as any request.

use serde::Serialize;
use townhall_audit::{Action, RecordRef};
use townhall_types::Timestamp;

use super::{caller, no, settle, Answer, Hub, Refusal};
use crate::addresses::{self, WebhookError};
use crate::partners::PartnerError;
use crate::signature::Request;

/// Where the partner's messages now go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscribed {
    /// The address.
    pub url: String,
}

/// Answers a partner's signed request to send its messages to `url`.
pub async fn subscribe(
    hub: &Hub<'_>,
    request: &Request<'_>,
    url: &str,
    now: Timestamp,
) -> Result<Answer<Subscribed>, PartnerError> {
    let caller = match caller(hub, request, now).await? {
        Ok(caller) => caller,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut event = caller
        .event(hub.council, RecordRef::Exchange("webhook address".into()))
        .purpose("where the council sends the partner's messages");
    event.action = Action::Update;
    let decided = match addresses::set_webhook(hub.store, hub.council, &caller.partner.id, url)
        .await
    {
        Ok(url) => Ok((
            Ok(Subscribed {
                url: url.to_string(),
            }),
            event,
        )),
        Err(WebhookError::BadUrl(_)) => no(
            Refusal::BadValue(
                "url must be an https:// address (or http:// on the council's own machine)".into(),
            ),
            event,
        ),
        Err(WebhookError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(PartnerError::Unreadable(e.to_string())),
    }?;
    settle(hub, &caller, now, decided).await
}
