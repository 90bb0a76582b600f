//! Payments for services.
//!
//! A payment is made before its request becomes a case: the request waits in
//! the payment as a draft, the payer goes to the provider, and when the
//! provider says it succeeded the case is made and linked to it. Providers sit
//! behind one interface, [`Provider`]. The default, [`Recorded`], records the
//! payment in the store when the payer confirms it on the council's own page
//! (for councils that take the money elsewhere, and for the demo); a card
//! provider in the style of GOV.UK Pay creates the payment with its API,
//! returns its `next_url`, and reports the outcome when asked.

mod events;

pub use events::{PaymentSettled, RefundDue};

use futures_util::future::BoxFuture;
use townhall_events::NewEvent;
use townhall_store::{sql, Migration, Store, StoreError, Tx};
use townhall_types::{CaseId, CouncilId, PaymentId, Timestamp, UserId};

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "payments",
    migrations: MIGRATIONS,
    events: events::TYPES,
    configure: Some(configure),
    demo: None,
    jobs: &[],
    scopes: &[],
};

/// The payments table, and the index [`unfinished`] reads.
pub const MIGRATIONS: &[Migration] = &[
    Migration::portable(
        2026112501,
        "payments",
        include_str!("../migrations/0001_payments.sql"),
    ),
    Migration::portable(
        2026120707,
        "payments_unfinished",
        include_str!("../migrations/0002_unfinished.sql"),
    ),
];

/// How long a payer has to pay once started. GOV.UK Pay lets a payment
/// expire after 90 minutes; a payment recorded here does the same.
pub const EXPIRES_AFTER: time::Duration = time::Duration::minutes(90);

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Started; the payer has not finished.
    Created,
    /// The money is taken.
    Success,
    /// The provider refused it.
    Failed,
    /// The payer gave up.
    Cancelled,
    /// Taken, but the request could not be made afterwards: to be refunded.
    RefundDue,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
            Status::RefundDue => "refund-due",
        }
    }

    /// Whether a payment may move from this status to `next`: a started
    /// payment ends once, and only a paid one may become due a refund.
    /// Staying where it is is allowed (a provider's answer may arrive twice).
    pub fn may_become(self, next: Status) -> bool {
        self == next
            || matches!(
                (self, next),
                (
                    Status::Created,
                    Status::Success | Status::Failed | Status::Cancelled
                ) | (Status::Success, Status::RefundDue)
            )
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "created" => Status::Created,
            "success" => Status::Success,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            "refund-due" => Status::RefundDue,
            other => {
                return Err(StoreError::decode(format!(
                    "unknown payment status '{other}'"
                )))
            }
        })
    }
}

/// A payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Its id (unguessable: it is in the payer's links).
    pub id: PaymentId,
    /// The council paid.
    pub council: CouncilId,
    /// The service paid for.
    pub service: String,
    /// The amount in pence.
    pub amount_pence: u32,
    /// What it pays for.
    pub description: String,
    /// Where it is.
    pub status: Status,
    /// The provider's name.
    pub provider: String,
    /// The resident paying, when signed in (only they may carry on with it).
    pub resident: Option<UserId>,
    /// The request waiting for the payment, as the form sent it (JSON).
    pub draft: String,
    /// The case made once it was paid.
    pub case: Option<CaseId>,
    /// When it started.
    pub created_at: Timestamp,
}

/// A payment could not be taken or read.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The provider failed or could not be reached.
    #[error("payment provider: {0}")]
    Provider(String),
}

/// A way of taking money.
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// Its name, stored with each payment.
    fn name(&self) -> &'static str;

    /// Starts taking `payment`; the address to send the payer to. The payer
    /// comes back to `return_url` when they are done.
    fn start<'a>(
        &'a self,
        payment: &'a Payment,
        return_url: &'a url::Url,
    ) -> BoxFuture<'a, Result<url::Url, PaymentError>>;

    /// How the payment ended, as far as the provider knows.
    fn outcome<'a>(
        &'a self,
        store: &'a Store,
        payment: &'a Payment,
    ) -> BoxFuture<'a, Result<Status, PaymentError>>;
}

/// The default provider: the payer confirms the payment on the council's own
/// page at `/payments/{id}/record`, and it is recorded in the store.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The site's public address.
    pub public_url: url::Url,
}

impl Provider for Recorded {
    fn name(&self) -> &'static str {
        "recorded"
    }

    fn start<'a>(
        &'a self,
        payment: &'a Payment,
        _return_url: &'a url::Url,
    ) -> BoxFuture<'a, Result<url::Url, PaymentError>> {
        Box::pin(async move {
            self.public_url
                .join(&format!("payments/{}/record", payment.id))
                .map_err(|e| PaymentError::Provider(e.to_string()))
        })
    }

    fn outcome<'a>(
        &'a self,
        store: &'a Store,
        payment: &'a Payment,
    ) -> BoxFuture<'a, Result<Status, PaymentError>> {
        Box::pin(async move {
            let status = get(store, payment.council, payment.id)
                .await?
                .map_or(Status::Failed, |p| p.status);
            let expired = payment.created_at.plus(EXPIRES_AFTER) < Timestamp::now();
            Ok(match status {
                Status::Created if expired => Status::Failed,
                status => status,
            })
        })
    }
}

/// Starts a payment for a request waiting as `draft`.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    store: &Store,
    council: CouncilId,
    service: &str,
    amount_pence: u32,
    description: &str,
    provider: &str,
    resident: Option<UserId>,
    draft: &str,
) -> Result<Payment, StoreError> {
    let now = Timestamp::now();
    let mut tx = store.begin().await?;
    let payment = Payment {
        id: PaymentId::new(),
        council,
        service: service.to_owned(),
        amount_pence,
        description: description.to_owned(),
        status: Status::Created,
        provider: provider.to_owned(),
        resident,
        draft: draft.to_owned(),
        case: None,
        created_at: now,
    };
    sql::query(
        "INSERT INTO payments (council_id, payment_id, service_id, amount_pence, description, status, \
         provider, provider_ref, resident_id, draft, case_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, NULL, $10, $10)",
    )
    .bind(council.to_string())
    .bind(payment.id.to_string())
    .bind(service)
    .bind(i64::from(amount_pence))
    .bind(description)
    .bind(Status::Created.as_str())
    .bind(provider)
    .bind(resident.map(|r| r.to_string()))
    .bind(draft)
    .bind(now.to_db())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(payment)
}

/// The payments of `council` not yet finished and untouched since `before`:
/// started but not paid, or paid without a case made. Oldest first.
pub async fn unfinished(
    store: &Store,
    council: CouncilId,
    before: Timestamp,
) -> Result<Vec<Payment>, StoreError> {
    let rows: Vec<Row> = sql::query_as(&format!(
        "SELECT {COLUMNS} FROM payments WHERE council_id = $1 AND updated_at < $2 \
         AND (status = 'created' OR (status = 'success' AND case_id IS NULL)) \
         ORDER BY updated_at, payment_id"
    ))
    .bind(council.to_string())
    .bind(before.to_db())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter().map(|r| from_row(council, r)).collect()
}

const COLUMNS: &str = "payment_id, service_id, amount_pence, description, status, provider, \
    resident_id, draft, case_id, created_at";

type Row = (
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
);

/// A payment by id.
pub async fn get(
    store: &Store,
    council: CouncilId,
    id: PaymentId,
) -> Result<Option<Payment>, StoreError> {
    by_id(store.reader(), council, id).await
}

/// A payment as `tx` sees it.
pub async fn read(
    tx: &mut Tx,
    council: CouncilId,
    id: PaymentId,
) -> Result<Option<Payment>, StoreError> {
    by_id(&mut **tx, council, id).await
}

async fn by_id<'e>(
    from: impl sql::Executor<'e, Database = sql::Any>,
    council: CouncilId,
    id: PaymentId,
) -> Result<Option<Payment>, StoreError> {
    let row: Option<Row> = sql::query_as(&format!(
        "SELECT {COLUMNS} FROM payments WHERE council_id = $1 AND payment_id = $2"
    ))
    .bind(council.to_string())
    .bind(id.to_string())
    .fetch_optional(from)
    .await?;
    row.map(|r| from_row(council, r)).transpose()
}

fn from_row(council: CouncilId, r: Row) -> Result<Payment, StoreError> {
    let bad = |what: &str| StoreError::decode(format!("bad {what} in payment {}", r.0));
    Ok(Payment {
        id: r.0.parse().map_err(|_| bad("id"))?,
        council,
        service: r.1.clone(),
        amount_pence: u32::try_from(r.2).map_err(|_| bad("amount"))?,
        description: r.3.clone(),
        status: Status::parse(&r.4)?,
        provider: r.5.clone(),
        resident: r
            .6
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| bad("resident"))?,
        draft: r.7.clone(),
        case: r
            .8
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| bad("case"))?,
        created_at: Timestamp::parse(&r.9).map_err(|_| bad("time"))?,
    })
}

/// Records a payment's new status (and, once paid, the case it made) where
/// [`Status::may_become`] allows it, a case once, and returns the event to
/// record last in `tx`: [`PaymentSettled`] the first
/// time a paid payment is given its case, [`RefundDue`] the first time one
/// is due back (a provider's answer may arrive twice).
pub async fn settle(
    tx: &mut Tx,
    council: CouncilId,
    id: PaymentId,
    status: Status,
    case: Option<CaseId>,
) -> Result<Option<NewEvent>, StoreError> {
    let before: Option<(String, Option<String>, String, i64)> = sql::query_as(
        "SELECT status, case_id, service_id, amount_pence FROM payments \
         WHERE council_id = $1 AND payment_id = $2",
    )
    .bind(council.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((was, had_case, service, amount)) = before else {
        return Ok(None);
    };
    let was = Status::parse(&was)?;
    if !was.may_become(status) || (had_case.is_some() && case.is_some()) {
        return Ok(None);
    }
    let now = Timestamp::now();
    let changed = sql::query(
        "UPDATE payments SET status = $3, case_id = COALESCE($4, case_id), updated_at = $5 \
         WHERE council_id = $1 AND payment_id = $2 AND status = $6",
    )
    .bind(council.to_string())
    .bind(id.to_string())
    .bind(status.as_str())
    .bind(case.map(|c| c.to_string()))
    .bind(now.to_db())
    .bind(was.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 {
        // Moved meanwhile by another transaction, which had the last word.
        return Ok(None);
    }
    let amount_pence = u32::try_from(amount)
        .map_err(|_| StoreError::decode(format!("bad amount in payment {id}")))?;
    let event = match (status, case) {
        (Status::Success, Some(case)) if had_case.is_none() => NewEvent::of(
            council,
            now,
            &PaymentSettled {
                payment: id,
                service,
                amount_pence,
                case,
            },
        )?,
        (Status::RefundDue, _) if was != Status::RefundDue => NewEvent::of(
            council,
            now,
            &RefundDue {
                payment: id,
                service,
                amount_pence,
            },
        )?,
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// Records how a payment ended that made no case (cancelled, failed, or
/// taken for a request that could not then be made, so due a refund), in a
/// transaction of its own.
pub async fn close(
    store: &Store,
    council: CouncilId,
    id: PaymentId,
    status: Status,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let told = settle(&mut tx, council, id, status, None).await?;
    townhall_events::record(&mut tx, told.as_slice()).await?;
    tx.commit().await?;
    Ok(())
}

/// Who takes a council's payments: its setting.
#[derive(Debug)]
pub struct Payments(pub Box<dyn Provider>);

/// Puts who takes the council's payments in its settings: the
/// [`Recorded`] provider, at the council's address.
fn configure(setup: townhall_kernel::Setup<'_>) -> townhall_kernel::Loading<'_> {
    Box::pin(async move {
        setup.settings.insert(Payments(Box::new(Recorded {
            public_url: setup.public_url.clone(),
        })))?;
        Ok(())
    })
}
