//! The history of residents' choices. Rows are only ever added.

use townhall_events::NewEvent;
use townhall_store::{sql, Store, StoreError, Tx};

use crate::events::{ConsentGiven, ConsentWithdrawn};
use townhall_types::{ConsentRecordId, CouncilId, Timestamp, UserId};

/// What the resident chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Yes, share (until `valid_until`, if set).
    Granted,
    /// No, or no longer.
    Withdrawn,
}

impl Choice {
    fn as_str(self) -> &'static str {
        match self {
            Choice::Granted => "granted",
            Choice::Withdrawn => "withdrawn",
        }
    }
}

/// How the choice reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The resident, online.
    Web,
    /// Staff recording it for the resident (assisted digital).
    Assisted,
}

impl Method {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Web => "web",
            Method::Assisted => "assisted",
        }
    }
}

/// One entry of a resident's consent history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// Its id.
    pub id: ConsentRecordId,
    /// The purpose.
    pub purpose: String,
    /// The recipient.
    pub recipient: String,
    /// Granted or withdrawn.
    pub choice: Choice,
    /// When a grant ends by itself.
    pub valid_until: Option<Timestamp>,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// How it reached us.
    pub method: Method,
    /// Who recorded it (the resident's or staff member's account id).
    pub recorded_by: String,
}

/// Appends a choice to the resident's history, and writes its event
/// ([`ConsentGiven`] or [`ConsentWithdrawn`]) last in `tx`.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut Tx,
    council: CouncilId,
    resident: UserId,
    purpose: &str,
    recipient: &str,
    choice: Choice,
    valid_until: Option<Timestamp>,
    method: Method,
    recorded_by: &str,
) -> Result<ConsentRecord, StoreError> {
    let (rec, event) = insert(
        tx,
        council,
        resident,
        (purpose, recipient),
        choice,
        valid_until,
        method,
        recorded_by,
    )
    .await?;
    townhall_events::record(tx, &[event]).await?;
    Ok(rec)
}

/// Appends a choice to the history; its event, to record last.
#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    council: CouncilId,
    resident: UserId,
    (purpose, recipient): (&str, &str),
    choice: Choice,
    valid_until: Option<Timestamp>,
    method: Method,
    recorded_by: &str,
) -> Result<(ConsentRecord, NewEvent), StoreError> {
    let rec = ConsentRecord {
        id: ConsentRecordId::new(),
        purpose: purpose.to_owned(),
        recipient: recipient.to_owned(),
        choice,
        valid_until,
        recorded_at: Timestamp::now(),
        method,
        recorded_by: recorded_by.to_owned(),
    };
    sql::query(
        "INSERT INTO consent_records (council_id, record_id, user_id, purpose_id, recipient_id, decision, \
         valid_until, recorded_at, method, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(council.to_string())
    .bind(rec.id.to_string())
    .bind(resident.to_string())
    .bind(purpose)
    .bind(recipient)
    .bind(choice.as_str())
    .bind(valid_until.map(|t| t.to_db()))
    .bind(rec.recorded_at.to_db())
    .bind(method.as_str())
    .bind(recorded_by)
    .execute(&mut **tx)
    .await?;
    let event = match choice {
        Choice::Granted => NewEvent::of(
            council,
            rec.recorded_at,
            &ConsentGiven {
                decision: rec.id,
                purpose: rec.purpose.clone(),
                recipient: rec.recipient.clone(),
                valid_until,
                method: method.as_str().to_owned(),
            },
        ),
        Choice::Withdrawn => NewEvent::of(
            council,
            rec.recorded_at,
            &ConsentWithdrawn {
                decision: rec.id,
                purpose: rec.purpose.clone(),
                recipient: rec.recipient.clone(),
                method: method.as_str().to_owned(),
            },
        ),
    }?;
    Ok((rec, event))
}

/// One change a resident makes to their consent.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The purpose.
    pub purpose: &'a str,
    /// The recipient.
    pub recipient: &'a str,
    /// Granted or withdrawn.
    pub choice: Choice,
    /// When a grant ends by itself.
    pub valid_until: Option<Timestamp>,
}

/// Records the changes a resident made together (the choices of one page):
/// all of them or, if the store fails, none.
pub async fn record_all(
    store: &Store,
    council: CouncilId,
    resident: UserId,
    changes: &[Change<'_>],
    method: Method,
    recorded_by: &str,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let mut events = Vec::with_capacity(changes.len());
    for c in changes {
        let (_, event) = insert(
            &mut tx,
            council,
            resident,
            (c.purpose, c.recipient),
            c.choice,
            c.valid_until,
            method,
            recorded_by,
        )
        .await?;
        events.push(event);
    }
    townhall_events::record(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(())
}

type RecordRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

fn from_row(r: RecordRow) -> Option<ConsentRecord> {
    Some(ConsentRecord {
        id: r.0.parse().ok()?,
        purpose: r.1,
        recipient: r.2,
        choice: if r.3 == "granted" {
            Choice::Granted
        } else {
            Choice::Withdrawn
        },
        valid_until: r.4.and_then(|t| Timestamp::parse(&t).ok()),
        recorded_at: Timestamp::parse(&r.5).ok()?,
        method: if r.6 == "assisted" {
            Method::Assisted
        } else {
            Method::Web
        },
        recorded_by: r.7,
    })
}

const COLUMNS: &str =
    "record_id, purpose_id, recipient_id, decision, valid_until, recorded_at, method, recorded_by";

/// Whose decision `decision` is: what a subscriber to consent's events,
/// which name the decision and not the resident, reads in its transaction.
pub async fn resident_of(
    tx: &mut Tx,
    council: CouncilId,
    decision: ConsentRecordId,
) -> Result<Option<UserId>, StoreError> {
    let row: Option<(String,)> = sql::query_as(
        "SELECT user_id FROM consent_records WHERE council_id = $1 AND record_id = $2",
    )
    .bind(council.to_string())
    .bind(decision.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|(id,)| {
        id.parse()
            .map_err(|_| StoreError::decode(format!("bad account id '{id}'")))
    })
    .transpose()
}

/// A resident's whole history, newest first.
pub async fn history(
    store: &Store,
    council: CouncilId,
    resident: UserId,
) -> Result<Vec<ConsentRecord>, StoreError> {
    let rows: Vec<RecordRow> = sql::query_as(&format!(
        "SELECT {COLUMNS} FROM consent_records WHERE council_id = $1 AND user_id = $2 \
         ORDER BY recorded_at DESC, record_id DESC"
    ))
    .bind(council.to_string())
    .bind(resident.to_string())
    .fetch_all(store.reader())
    .await?;
    Ok(rows.into_iter().filter_map(from_row).collect())
}

/// The choice in force at `at` for one purpose and recipient: the latest made at or before `at`.
pub(crate) async fn latest(
    store: &Store,
    council: CouncilId,
    resident: UserId,
    purpose: &str,
    recipient: &str,
    at: Timestamp,
) -> Result<Option<ConsentRecord>, StoreError> {
    let row: Option<RecordRow> = sql::query_as(&format!(
        "SELECT {COLUMNS} FROM consent_records WHERE council_id = $1 AND user_id = $2 \
         AND purpose_id = $3 AND recipient_id = $4 AND recorded_at <= $5 \
         ORDER BY recorded_at DESC, record_id DESC LIMIT 1"
    ))
    .bind(council.to_string())
    .bind(resident.to_string())
    .bind(purpose)
    .bind(recipient)
    .bind(at.to_db())
    .fetch_optional(store.reader())
    .await?;
    Ok(row.and_then(from_row))
}
