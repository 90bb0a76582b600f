//! A partner saying where the council's messages to it go: its webhook
//! address, set by a signed request (so only the partner's own key can
//! move its messages), audited as any request.

use townhall_audit::{Action, RecordRef};
use townhall_types::Timestamp;

use super::{caller, no, settle, Answer, Asking, Hub, Refusal};
use crate::addresses::{self, Subscription, WebhookError};
use crate::partners::PartnerError;
use crate::signature::Request;

/// Answers a partner's signed request to send its messages to `url`: of
/// `record_types`, or of every type its agreements allow when `None`.
pub async fn subscribe(
    hub: &Hub<'_>,
    request: &Request<'_>,
    (url, record_types): (&str, Option<&[String]>),
    now: Timestamp,
) -> Result<Answer<Subscription>, PartnerError> {
    let caller = match caller(hub, Asking::Signed(request), now).await? {
        Ok(caller) => caller,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut event = caller
        .event(hub.council, RecordRef::Exchange("webhook address".into()))
        .purpose("where the council sends the partner's messages");
    event.action = Action::Update;
    let set = addresses::set_webhook(
        hub.store,
        hub.council,
        &caller.partner.id,
        url,
        record_types,
    );
    let decided = match set.await {
        Ok(subscription) => Ok((Ok(subscription), event)),
        Err(WebhookError::UnknownRecordType(t)) => no(
            Refusal::BadValue(format!("'{t}' is not a record type the hub exchanges")),
            event,
        ),
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
