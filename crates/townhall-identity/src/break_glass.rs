//! "Break-glass" reads: a member of staff without an open case of their team
//! with a resident states why they need to see the resident's record. The
//! reason lets them look for [`GRANT`], is recorded with every look (and so
//! shown to the resident in their access log), and waits for the data
//! protection officer's review.

use time::Duration;
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, Timestamp, UserId};

use crate::decode_err;

/// How long a stated reason lets its author look at the record.
pub const GRANT: Duration = Duration::minutes(30);

/// The shortest and longest reasons taken, in characters.
pub const REASON_CHARS: std::ops::RangeInclusive<usize> = 10..=500;

/// Why a reason was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    /// Too short to say anything.
    #[error("Enter the reason you need to see this record, in a sentence")]
    TooShort,
    /// Too long.
    #[error("The reason must be 500 characters or fewer")]
    TooLong,
}

/// A stated reason, as the data protection officer reviews it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassRead {
    /// Its id.
    pub id: String,
    /// Who stated it.
    pub staff: UserId,
    /// Who stated it, as pages name them.
    pub staff_label: String,
    /// Whose record.
    pub resident: UserId,
    /// The reason.
    pub reason: String,
    /// When.
    pub at: Timestamp,
}

/// Records `staff`'s reason to see `resident`'s record, from `now` for [`GRANT`].
pub async fn state_reason(
    store: &Store,
    council: CouncilId,
    (staff, staff_label): (UserId, &str),
    resident: UserId,
    reason: &str,
    now: Timestamp,
) -> Result<Result<(), ReasonError>, StoreError> {
    let reason = reason.trim();
    let chars = reason.chars().count();
    if chars < *REASON_CHARS.start() {
        return Ok(Err(ReasonError::TooShort));
    }
    if chars > *REASON_CHARS.end() {
        return Ok(Err(ReasonError::TooLong));
    }
    let mut tx = store.begin().await?;
    sql::query(
        "INSERT INTO break_glass_reads (council_id, read_id, staff_id, staff_label, resident_id, \
         reason, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(council.to_string())
    .bind(crate::random_token())
    .bind(staff.to_string())
    .bind(staff_label)
    .bind(resident.to_string())
    .bind(reason)
    .bind(now.to_db())
    .bind(now.plus(GRANT).to_db())
    .execute(&mut *tx)
    .await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (Actor::Staff(staff.to_string()), staff_label),
            Action::Create,
            RecordRef::Resident(resident),
        )
        .about(Some(resident))
        .purpose(format!("giving a reason to see the record: {reason}")),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The reason `staff` stated for `resident`'s record that still holds at `now`.
pub async fn active_reason(
    store: &Store,
    council: CouncilId,
    staff: UserId,
    resident: UserId,
    now: Timestamp,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sql::query_as(
        "SELECT reason FROM break_glass_reads WHERE council_id = $1 AND staff_id = $2 \
         AND resident_id = $3 AND expires_at > $4 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(council.to_string())
    .bind(staff.to_string())
    .bind(resident.to_string())
    .bind(now.to_db())
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|(r,)| r))
}

/// The reasons not yet reviewed, oldest first.
pub async fn to_review(
    store: &Store,
    council: CouncilId,
) -> Result<Vec<BreakGlassRead>, StoreError> {
    let rows: Vec<(String, String, String, String, String, String)> = sql::query_as(
        "SELECT read_id, staff_id, staff_label, resident_id, reason, created_at FROM break_glass_reads \
         WHERE council_id = $1 AND reviewed_at IS NULL ORDER BY created_at, read_id",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(id, staff, staff_label, resident, reason, at)| {
            Ok(BreakGlassRead {
                id,
                staff: staff.parse().map_err(|_| decode_err("bad user id"))?,
                staff_label,
                resident: resident.parse().map_err(|_| decode_err("bad user id"))?,
                reason,
                at: Timestamp::parse(&at).map_err(|e| decode_err(e.to_string()))?,
            })
        })
        .collect()
}

/// Marks a reason reviewed by `reviewer`, who may not review their own;
/// whether there was such a reason to review.
pub async fn mark_reviewed(
    store: &Store,
    council: CouncilId,
    id: &str,
    (reviewer, reviewer_label): (UserId, &str),
    now: Timestamp,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let row: Option<(String,)> = sql::query_as(
        "UPDATE break_glass_reads SET reviewed_at = $3, reviewed_by = $4 \
         WHERE council_id = $1 AND read_id = $2 AND reviewed_at IS NULL AND staff_id <> $5 \
         RETURNING resident_id",
    )
    .bind(council.to_string())
    .bind(id)
    .bind(now.to_db())
    .bind(reviewer_label)
    .bind(reviewer.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((resident,)) = row else {
        return Ok(false);
    };
    let resident: UserId = resident
        .parse()
        .map_err(|_| decode_err("bad resident id"))?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (Actor::Staff(reviewer.to_string()), reviewer_label),
            Action::Update,
            RecordRef::Resident(resident),
        )
        .about(Some(resident))
        .purpose("reviewing a reason given to see the record"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
