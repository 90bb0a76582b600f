//! Webhooks: what the council sends a partner (a referral, a concern) is
//! delivered to the address the partner gave, signed by the hub's key as
//! its answers are (RFC 9421), retried with back-off, and kept as a dead
//! letter, which staff can see and send again, when it cannot be delivered.
//! Delivery is at least once: a partner tells repeats apart by the
//! delivery's id.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, PersonId, Timestamp};

pub use crate::addresses::{set_webhook, webhook, Subscription, WebhookError};
use crate::hub::rules::{agreement_for, consent_refusal, Way};
use crate::hub::{Answer, Hub, Refusal};
use crate::hub_key::HubKey;
use crate::partners::PartnerError;
use crate::signature::{nonce, Request};

/// How long to wait after each failed attempt before the next.
pub const BACKOFF: [Duration; 5] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 60 * 60),
    Duration::from_secs(12 * 60 * 60),
];

/// How long a partner's address has to answer one attempt.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A record the council sends a partner: a referral, a concern.
#[derive(Debug, Clone)]
pub struct Push<'a> {
    /// The partner.
    pub partner: &'a str,
    /// Whom it is about.
    pub person: PersonId,
    /// Its record type, e.g. `wellbeing_concern`.
    pub record_type: &'a str,
    /// The consent purpose it serves.
    pub purpose: &'a str,
    /// Its fields' values: only fields the agreement names.
    pub fields: BTreeMap<String, String>,
    /// Who sends it (a trigger, a member of staff), for the audit log.
    pub by: (Actor, &'a str),
}

/// A record shared with a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shared {
    /// The agreement it goes under.
    pub agreement: String,
    /// The id of the message queued for the partner's webhook, which the
    /// message carries; none when the partner has given no address, or
    /// not asked for this record type, and reads it on the hub's pages.
    pub delivery: Option<String>,
}

/// The message a partner receives, as JSON.
#[derive(Serialize)]
struct Message<'a> {
    delivery: &'a str,
    partner: &'a str,
    agreement: &'a str,
    purpose: &'a str,
    person: PersonId,
    record_type: &'a str,
    fields: &'a BTreeMap<String, String>,
    sent_at: Timestamp,
}

/// Shares `push` with its partner, in `tx`, when an agreement in force
/// lets the council send that record type for the purpose, names every
/// field, and the person's consent allows it: decided and audited as a
/// partner's read is. The message is queued for the partner's webhook when
/// it has one that wants the record type; otherwise the caller keeps the
/// record where the partner's staff read it.
pub async fn push(
    tx: &mut Tx,
    hub: &Hub<'_>,
    push: &Push<'_>,
    now: Timestamp,
) -> Result<Answer<Shared>, PartnerError> {
    let event = AuditEvent::new(
        hub.council,
        (push.by.0.clone(), push.by.1),
        Action::Share,
        RecordRef::Person(push.person),
    )
    .fields(push.fields.keys().cloned());
    let agreement = match agreement_for(
        hub.agreements,
        push.partner,
        (push.purpose, push.record_type),
        Way::ToPartner,
        now.uk_date(),
    ) {
        Ok(a) => a,
        Err(refusal) => return refuse(tx, refusal, event).await,
    };
    let allowed = agreement.fields_of(push.record_type).unwrap_or_default();
    let beyond = crate::hub::rules::beyond(allowed, push.fields.keys());
    if !beyond.is_empty() {
        return refuse(tx, Refusal::FieldNotAllowed(beyond), event).await;
    }
    let Some(accounts) =
        townhall_index::held::accounts_of(hub.store, hub.council, push.person).await?
    else {
        return refuse(tx, Refusal::UnknownPerson, event).await;
    };
    let event = event.about(accounts.first());
    let names: Vec<&str> = push.fields.keys().map(String::as_str).collect();
    if let Some(refusal) = consent_refusal(hub, agreement, &accounts, &names, now).await? {
        return refuse(tx, refusal, event).await;
    }
    let event = event.purpose(crate::hub::under(hub, agreement, ""));
    townhall_audit::append(tx, &event).await?;
    let subscription = webhook(hub.store, hub.council, push.partner).await?;
    let Some(url) = subscription
        .filter(|s| s.wants(push.record_type))
        .map(|s| s.url)
    else {
        return Ok(Ok(Shared {
            agreement: agreement.id.clone(),
            delivery: None,
        }));
    };
    let delivery = townhall_types::DeliveryId::new().to_string();
    let body = serde_json::to_string(&Message {
        delivery: &delivery,
        partner: push.partner,
        agreement: &agreement.id,
        purpose: &agreement.purpose,
        person: push.person,
        record_type: push.record_type,
        fields: &push.fields,
        sent_at: now,
    })
    .map_err(|e| PartnerError::Unreadable(format!("a message ({e})")))?;
    sql::query(
        "INSERT INTO hub_deliveries (council_id, delivery_id, partner_id, url, record_type, body, \
         created_at, attempts, next_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7)",
    )
    .bind(hub.council.to_string())
    .bind(&delivery)
    .bind(push.partner)
    .bind(&url)
    .bind(push.record_type)
    .bind(&body)
    .bind(now.to_db())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from)?;
    Ok(Ok(Shared {
        agreement: agreement.id.clone(),
        delivery: Some(delivery),
    }))
}

/// Refuses a push: the refusal audited in `tx`.
async fn refuse<T>(
    tx: &mut Tx,
    refusal: Refusal,
    event: AuditEvent,
) -> Result<Answer<T>, PartnerError> {
    townhall_audit::append(tx, &crate::hub::refused(event, &refusal)).await?;
    Ok(Err(refusal))
}

/// A message to a partner, as staff see it (never its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Its id.
    pub id: String,
    /// The partner.
    pub partner: String,
    /// Where it goes.
    pub url: String,
    /// Its record type.
    pub record_type: String,
    /// When it was queued.
    pub created_at: Timestamp,
    /// How many times it was tried.
    pub attempts: u32,
    /// What went wrong the last time, if anything.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<Timestamp>,
    /// When the hub gave up.
    pub dead_at: Option<Timestamp>,
}

/// What one round of deliveries did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Messages the partner took (a 2xx answer).
    pub delivered: usize,
    /// Messages to try again later.
    pub retrying: usize,
    /// Messages given up on: dead letters.
    pub dead: usize,
}

type DueRow = (String, String, String, i64);

/// Tries each message due at `now` once, signed with `key`: a 2xx answer
/// delivers it (and its content is forgotten); anything else, or no answer
/// within [`TIMEOUT`], tries again after the next [`BACKOFF`], until the
/// attempts run out and it becomes a dead letter.
pub async fn deliver_due(
    store: &Store,
    council: CouncilId,
    key: &HubKey,
    client: &reqwest::Client,
    now: Timestamp,
) -> Result<Round, StoreError> {
    let due: Vec<DueRow> = sql::query_as(
        "SELECT delivery_id, url, body, attempts FROM hub_deliveries \
         WHERE council_id = $1 AND delivered_at IS NULL AND dead_at IS NULL AND next_at <= $2 \
         ORDER BY next_at LIMIT 100",
    )
    .bind(council.to_string())
    .bind(now.to_db())
    .fetch_all(store.reader())
    .await?;
    let mut round = Round::default();
    for (id, url, body, attempts) in due {
        let outcome = attempt(key, client, &url, &body).await;
        let attempts = attempts + 1;
        let mut tx = store.begin().await?;
        match outcome {
            Ok(()) => {
                round.delivered += 1;
                sql::query(
                    "UPDATE hub_deliveries SET attempts = $3, delivered_at = $4, body = '', last_error = NULL \
                     WHERE council_id = $1 AND delivery_id = $2",
                )
                .bind(council.to_string())
                .bind(&id)
                .bind(attempts)
                .bind(now.to_db())
                .execute(&mut *tx)
                .await?;
            }
            Err(why) => {
                let wait = usize::try_from(attempts - 1)
                    .ok()
                    .and_then(|n| BACKOFF.get(n));
                let (next, dead) = match wait {
                    Some(wait) => {
                        round.retrying += 1;
                        (
                            Some(now.plus(time::Duration::try_from(*wait).unwrap_or_default())),
                            None,
                        )
                    }
                    None => {
                        round.dead += 1;
                        (None, Some(now))
                    }
                };
                sql::query(
                    "UPDATE hub_deliveries SET attempts = $3, last_error = $4, next_at = COALESCE($5, next_at), dead_at = $6 \
                     WHERE council_id = $1 AND delivery_id = $2",
                )
                .bind(council.to_string())
                .bind(&id)
                .bind(attempts)
                .bind(why)
                .bind(next.map(|n| n.to_db()))
                .bind(dead.map(|d| d.to_db()))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(round)
}

/// One attempt: the message, signed, POSTed to `url`; why it failed.
async fn attempt(
    key: &HubKey,
    client: &reqwest::Client,
    url: &str,
    body: &str,
) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("the address cannot be read: {e}"))?;
    let signed = key
        .signing
        .sign_request(
            &Request {
                method: "POST",
                authority: parsed.authority(),
                path: parsed.path(),
                query: parsed.query(),
                headers: &[],
                body: body.as_bytes(),
            },
            (Timestamp::now().unix_seconds(), &nonce()),
        )
        .map_err(|e| e.to_string())?;
    let response = client
        .post(parsed)
        .timeout(TIMEOUT)
        .header("content-type", "application/json")
        .header("content-digest", signed.content_digest)
        .header("signature-input", signed.signature_input)
        .header("signature", signed.signature)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| format!("no answer: {}", without_url(&e)))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", response.status()))
    }
}

/// A request's failure, without its address (which may hold a secret).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} seconds", TIMEOUT.as_secs())
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

type DeliveryRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn delivery_of(row: DeliveryRow) -> Result<Delivery, StoreError> {
    let (id, partner, url, record_type, created, attempts, last_error, delivered, dead) = row;
    let time = |t: &str| {
        Timestamp::parse(t).map_err(|_| StoreError::decode(format!("delivery {id}: a bad time")))
    };
    Ok(Delivery {
        created_at: time(&created)?,
        delivered_at: delivered.as_deref().map(time).transpose()?,
        dead_at: dead.as_deref().map(time).transpose()?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        id: id.clone(),
        partner,
        url,
        record_type,
        last_error,
    })
}

/// The messages the hub gave up on, newest first.
pub async fn dead_letters(store: &Store, council: CouncilId) -> Result<Vec<Delivery>, StoreError> {
    let rows: Vec<DeliveryRow> = sql::query_as(
        "SELECT delivery_id, partner_id, url, record_type, created_at, attempts, last_error, \
         delivered_at, dead_at FROM hub_deliveries WHERE council_id = $1 AND dead_at IS NOT NULL \
         ORDER BY dead_at DESC LIMIT 500",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter().map(delivery_of).collect()
}

/// Sends a dead letter again: due now, with its attempts counted afresh;
/// `by` (a member of staff) is in the audit log.
pub async fn send_again(
    store: &Store,
    council: CouncilId,
    id: &str,
    by: (Actor, &str),
) -> Result<(), WebhookError> {
    let mut tx = store.begin().await?;
    let done = sql::query(
        "UPDATE hub_deliveries SET dead_at = NULL, attempts = 0, next_at = $3 \
         WHERE council_id = $1 AND delivery_id = $2 AND dead_at IS NOT NULL",
    )
    .bind(council.to_string())
    .bind(id)
    .bind(Timestamp::now().to_db())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if done.rows_affected() != 1 {
        return Err(WebhookError::NotDead(id.chars().take(60).collect()));
    }
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            by,
            Action::Update,
            RecordRef::Exchange(format!("delivery {id}")),
        )
        .purpose("a message to a partner, sent again after it could not be delivered"),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// How often the job looks for messages due.
const EVERY: Duration = Duration::from_secs(5);

/// The job that delivers every council's messages, and forgets the records
/// partners sent once their agreement's retention has run out.
pub(crate) const JOB: townhall_kernel::Job = townhall_kernel::Job {
    name: "hub deliveries and retention",
    start,
};

fn start(
    deployment: std::sync::Arc<townhall_kernel::Deployment>,
) -> Result<townhall_kernel::Running, townhall_kernel::Missing> {
    for settings in &deployment.councils {
        settings.require::<HubKey>()?;
    }
    Ok(Box::pin(async move {
        let client = reqwest::Client::new();
        loop {
            for settings in &deployment.councils {
                let Ok(key) = settings.require::<HubKey>() else {
                    continue;
                };
                if let Err(e) = deliver_due(
                    &deployment.store,
                    key.council,
                    key,
                    &client,
                    Timestamp::now(),
                )
                .await
                {
                    tracing::warn!(error = %e, "a council's webhooks could not be delivered");
                }
                if let Ok(agreements) = settings.require::<crate::Agreements>() {
                    let forgotten = crate::hub::forget_received(
                        &deployment.store,
                        key.council,
                        agreements,
                        Timestamp::now(),
                    )
                    .await;
                    if let Err(e) = forgotten {
                        tracing::warn!(error = %e, "a council's received records could not be forgotten");
                    }
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    }))
}
