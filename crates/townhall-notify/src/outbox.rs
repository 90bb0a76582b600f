//! The outbox table: enqueue in the caller's transaction, deliver later.

use serde::Serialize;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, NotificationId, Timestamp};

use crate::message::{Channel, Status};
use crate::template::{Template, TemplateError, Templates};
use crate::transport::{Failure, Transport};

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// Its id.
    pub id: NotificationId,
    /// Email, SMS or letter.
    pub channel: Channel,
    /// Email address, phone number or postal address.
    pub recipient: String,
    /// The template it came from.
    pub template_id: String,
    /// Subject line.
    pub subject: String,
    /// The message.
    pub body: String,
    /// Delivery status.
    pub status: String,
    /// When it was created.
    pub created_at: String,
}

/// A message to render and put in the outbox.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The council sending it.
    pub council: CouncilId,
    /// The template to render.
    pub template_id: &'a str,
    /// Email address, phone number or postal address.
    pub recipient: &'a str,
    /// The template's placeholders and their values.
    pub values: &'a [(&'a str, &'a str)],
    /// The case or other record it is about, if any.
    pub reference: Option<&'a str>,
}

/// Renders `template_id` with `values` and puts it in the outbox, inside `tx`.
pub async fn enqueue(
    tx: &mut Tx,
    templates: &Templates,
    council: CouncilId,
    template_id: &str,
    recipient: &str,
    values: &[(&str, &str)],
    reference: Option<&str>,
) -> Result<Result<NotificationId, TemplateError>, StoreError> {
    let one = Outgoing {
        council,
        template_id,
        recipient,
        values,
        reference,
    };
    Ok(enqueue_all(tx, templates, &[one])
        .await?
        .map(|mut ids| ids.remove(0)))
}

/// Renders every message and puts them all in the outbox in one statement,
/// inside `tx`; nothing is queued if any of them cannot be rendered.
pub async fn enqueue_all(
    tx: &mut Tx,
    templates: &Templates,
    messages: &[Outgoing<'_>],
) -> Result<Result<Vec<NotificationId>, TemplateError>, StoreError> {
    if messages.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let mut rendered = Vec::with_capacity(messages.len());
    for m in messages {
        let template = match templates.get(m.template_id) {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        match template.render(m.values) {
            Ok((subject, body)) => rendered.push((NotificationId::new(), template, subject, body)),
            Err(e) => return Ok(Err(e)),
        }
    }
    let now = Timestamp::now().to_db();
    // In statements of at most MAX_BATCH rows, well inside either store's
    // limit on parameters (a case may have thousands of followers).
    let rows: Vec<_> = messages.iter().zip(&rendered).collect();
    for chunk in rows.chunks(townhall_store::MAX_BATCH) {
        insert_chunk(tx, chunk, &now).await?;
    }
    Ok(Ok(rendered.into_iter().map(|(id, ..)| id).collect()))
}

/// A message and what it was rendered to.
type Rendered<'a> = (
    &'a Outgoing<'a>,
    &'a (NotificationId, &'a Template, String, String),
);

async fn insert_chunk(tx: &mut Tx, chunk: &[Rendered<'_>], now: &str) -> Result<(), StoreError> {
    let text = format!(
        "INSERT INTO notifications (council_id, notification_id, channel, recipient, template_id, subject, body, \
         reference, status, attempts, created_at, updated_at) VALUES {}",
        townhall_store::placeholders(chunk.len(), 12)
    );
    let mut insert = sql::query(&text);
    for (m, (id, template, subject, body)) in chunk {
        insert = insert
            .bind(m.council.to_string())
            .bind(id.to_string())
            .bind(template.channel.as_str())
            .bind(m.recipient)
            .bind(m.template_id)
            .bind(subject)
            .bind(body)
            .bind(m.reference)
            .bind(Status::Created.as_str())
            .bind(0_i64)
            .bind(now)
            .bind(now);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}

/// How long to wait before trying a message again, after each failed attempt.
const RETRY_AFTER_MINUTES: [i64; 4] = [1, 5, 30, 120];

/// Hands every message due in the outbox to `transport` and records the outcome.
/// Returns how many were handed on.
pub async fn deliver_pending(store: &Store, transport: &Transport) -> Result<usize, StoreError> {
    let now = Timestamp::now();
    let pending: Vec<(String, String, String, String, String, String, i64)> = sql::query_as(
        "SELECT council_id, notification_id, channel, recipient, subject, body, attempts \
         FROM notifications WHERE status = 'created' \
         AND (next_attempt_at IS NULL OR next_attempt_at <= $1) ORDER BY created_at LIMIT 200",
    )
    .bind(now.to_db())
    .fetch_all(store.reader())
    .await?;
    let mut handed_on = 0;
    for (council, id, channel, recipient, subject, body, attempts) in pending {
        let outcome = match council.parse::<CouncilId>() {
            Ok(council_id) => {
                transport
                    .send(council_id, &channel, &recipient, &subject, &body)
                    .await
            }
            Err(e) => Err(Failure::Permanent(format!("bad council id: {e}"))),
        };
        let retry_in = usize::try_from(attempts)
            .ok()
            .and_then(|a| RETRY_AFTER_MINUTES.get(a));
        let (status, detail, next_attempt) = match &outcome {
            Ok(status) => (*status, None, None),
            Err(Failure::Transient(d)) => match retry_in {
                Some(minutes) => (
                    Status::Created,
                    Some(d.as_str()),
                    Some(now.plus(time::Duration::minutes(*minutes)).to_db()),
                ),
                None => (Status::TechnicalFailure, Some(d.as_str()), None),
            },
            Err(Failure::Permanent(d)) => (Status::PermanentFailure, Some(d.as_str()), None),
            Err(Failure::Unconfigured(d)) => (Status::TechnicalFailure, Some(d.as_str()), None),
        };
        match &outcome {
            Ok(_) => handed_on += 1,
            Err(f) => {
                tracing::warn!(notification = %id, channel, detail = f.detail(), status = status.as_str(), "notification not delivered")
            }
        }
        let mut tx = store.begin().await?;
        sql::query(
            "UPDATE notifications SET status = $3, status_detail = $4, attempts = attempts + 1, \
             next_attempt_at = $5, updated_at = $6 WHERE council_id = $1 AND notification_id = $2",
        )
        .bind(&council)
        .bind(&id)
        .bind(status.as_str())
        .bind(detail)
        .bind(next_attempt)
        .bind(Timestamp::now().to_db())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(handed_on)
}

/// The messages sent to `recipient` (an email address, phone number or postal
/// address), newest first: what a resident sees under "Messages".
pub async fn sent_to(
    store: &Store,
    council: CouncilId,
    recipient: &str,
    limit: i64,
) -> Result<Vec<Notification>, StoreError> {
    let rows: Vec<Row> = sql::query_as(
        "SELECT notification_id, channel, recipient, template_id, subject, body, status, created_at \
         FROM notifications WHERE council_id = $1 AND recipient = $2 \
         ORDER BY created_at DESC, notification_id DESC LIMIT $3",
    )
    .bind(council.to_string())
    .bind(recipient)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.into_iter().filter_map(notification).collect())
}

/// How many messages from `template` were put in the outbox for
/// `recipient` since `since`, in `tx`: for limits on how often someone is
/// written to.
pub async fn count_since(
    tx: &mut Tx,
    council: CouncilId,
    recipient: &str,
    template: &str,
    since: Timestamp,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = sql::query_as(
        "SELECT COUNT(*) FROM notifications WHERE council_id = $1 AND recipient = $2 \
         AND template_id = $3 AND created_at >= $4",
    )
    .bind(council.to_string())
    .bind(recipient)
    .bind(template)
    .bind(since.to_db())
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// The demo mailbox: every message delivered locally, newest first.
pub async fn mailbox(
    store: &Store,
    council: CouncilId,
    limit: i64,
) -> Result<Vec<Notification>, StoreError> {
    let rows: Vec<Row> = sql::query_as(
        "SELECT notification_id, channel, recipient, template_id, subject, body, status, created_at \
         FROM notifications WHERE council_id = $1 ORDER BY created_at DESC, notification_id DESC LIMIT $2",
    )
    .bind(council.to_string())
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.into_iter().filter_map(notification).collect())
}

/// A stored message: id, channel, recipient, template, subject, body, status, created.
type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn notification(r: Row) -> Option<Notification> {
    Some(Notification {
        id: r.0.parse().ok()?,
        channel: match r.1.as_str() {
            "sms" => Channel::Sms,
            "letter" => Channel::Letter,
            _ => Channel::Email,
        },
        recipient: r.2,
        template_id: r.3,
        subject: r.4,
        body: r.5,
        status: r.6,
        created_at: r.7,
    })
}
