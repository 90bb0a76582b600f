//! The clerical review queue: pairs the model is unsure of, shown to a
//! reviewer side by side with the explanation of their score (each opening
//! audited), and the reviewer's decision, which every later run keeps.

use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_linkage::model::Explanation;
use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, PersonId, ReviewId, Timestamp};

use crate::records::{self, RecordKey, StoredRecord};
use crate::IndexError;

/// The stored decision that two records are one person.
pub(crate) const SAME: &str = "same";
/// The stored decision that they are two people.
const DIFFERENT: &str = "different";

/// Why reviewers read the records.
const PURPOSE: &str = "deciding whether two records are the same person";

/// A pair waiting for a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The pair's id.
    pub id: ReviewId,
    /// One record.
    pub left: RecordKey,
    /// The other.
    pub right: RecordKey,
    /// The model's probability that they are one person.
    pub probability: f64,
}

/// The pairs waiting for a decision, the likeliest first.
pub async fn pending(
    store: &Store,
    council: CouncilId,
    limit: i64,
) -> Result<Vec<Pending>, StoreError> {
    let rows: Vec<(String, String, String, String, String, f64)> = sql::query_as(
        "SELECT review_id, left_system, left_record, right_system, right_record, probability \
         FROM index_reviews WHERE council_id = $1 AND decision IS NULL \
         ORDER BY probability DESC, review_id LIMIT $2",
    )
    .bind(council.to_string())
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(id, ls, lr, rs, rr, probability)| {
            Ok(Pending {
                id: id
                    .parse()
                    .map_err(|_| StoreError::decode(format!("bad review id '{id}'")))?,
                left: RecordKey::new(ls, lr),
                right: RecordKey::new(rs, rr),
                probability,
            })
        })
        .collect()
}

/// How many pairs wait for a decision.
pub async fn pending_count(store: &Store, council: CouncilId) -> Result<i64, StoreError> {
    let (n,): (i64,) = sql::query_as(
        "SELECT COUNT(*) FROM index_reviews WHERE council_id = $1 AND decision IS NULL",
    )
    .bind(council.to_string())
    .fetch_one(store.reader())
    .await?;
    Ok(n)
}

/// A reviewer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// Whether the records are one person.
    pub same: bool,
    /// Who decided, as shown to people.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// A pair opened for review.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The pair.
    pub pair: Pending,
    /// The left record.
    pub left: StoredRecord,
    /// The right record.
    pub right: StoredRecord,
    /// Why it scored what it did, field by field.
    pub explanation: Explanation,
    /// The decision, once made.
    pub decided: Option<Decided>,
}

/// Who is reviewing.
#[derive(Debug, Clone)]
pub struct Reviewer<'a> {
    /// For the audit log.
    pub actor: Actor,
    /// As shown to residents in their access log.
    pub label: &'a str,
}

/// A stored pair: its records' keys, probability, explanation and decision.
type ReviewRow = (
    String,
    String,
    String,
    String,
    f64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Opens the pair `id` for `reviewer`; the reading of both records is audited.
pub async fn open_as(
    store: &Store,
    council: CouncilId,
    id: ReviewId,
    reviewer: &Reviewer<'_>,
) -> Result<Option<Review>, IndexError> {
    let row: Option<ReviewRow> = sql::query_as(
            "SELECT left_system, left_record, right_system, right_record, probability, explanation, \
             decision, decided_by, decided_at FROM index_reviews WHERE council_id = $1 AND review_id = $2",
        )
        .bind(council.to_string())
        .bind(id.to_string())
        .fetch_optional(store.reader())
        .await?;
    let Some((ls, lr, rs, rr, probability, explanation, decision, by, at)) = row else {
        return Ok(None);
    };
    let pair = Pending {
        id,
        left: RecordKey::new(ls, lr),
        right: RecordKey::new(rs, rr),
        probability,
    };
    let (Some(left), Some(right)) = (
        records::one(store, council, &pair.left).await?,
        records::one(store, council, &pair.right).await?,
    ) else {
        return Ok(None);
    };
    let explanation: Explanation = serde_json::from_str(&explanation)
        .map_err(|e| StoreError::decode(format!("review {id}: explanation: {e}")))?;
    let decided = match (decision, by, at) {
        (Some(d), Some(by), Some(at)) => Some(Decided {
            same: d == SAME,
            by,
            at: Timestamp::parse(&at)
                .map_err(|_| StoreError::decode(format!("review {id}: bad time '{at}'")))?,
        }),
        _ => None,
    };
    let mut tx = store.begin().await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (reviewer.actor.clone(), reviewer.label),
            Action::Read,
            RecordRef::IndexReview(id),
        )
        .about(left.account.or(right.account))
        .fields(crate::policy::VIEW_FIELDS.iter().copied())
        .purpose(PURPOSE),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(Review {
        pair,
        left,
        right,
        explanation,
        decided,
    }))
}

/// Records `reviewer`'s decision on the pair `id`. A pair decided the same
/// person is joined at once (the right record's person becomes the left's);
/// either way, every later run keeps the decision. Returns the pair.
pub async fn decide(
    store: &Store,
    council: CouncilId,
    id: ReviewId,
    same: bool,
    reviewer: &Reviewer<'_>,
) -> Result<(RecordKey, RecordKey), IndexError> {
    let council_text = council.to_string();
    let mut tx = store.begin().await?;
    let row: Option<(String, String, String, String, Option<String>)> = sql::query_as(
        "SELECT left_system, left_record, right_system, right_record, decision FROM index_reviews \
         WHERE council_id = $1 AND review_id = $2",
    )
    .bind(&council_text)
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((ls, lr, rs, rr, decision)) = row else {
        return Err(IndexError::NotFound);
    };
    if decision.is_some() {
        return Err(IndexError::AlreadyDecided);
    }
    sql::query(
        "UPDATE index_reviews SET decision = $3, decided_by = $4, decided_at = $5 \
         WHERE council_id = $1 AND review_id = $2",
    )
    .bind(&council_text)
    .bind(id.to_string())
    .bind(if same { SAME } else { DIFFERENT })
    .bind(reviewer.label)
    .bind(Timestamp::now().to_db())
    .execute(&mut *tx)
    .await?;
    let mut joined: Vec<PersonId> = Vec::new();
    if same {
        let person = |system: String, record: String| {
            sql::query_as::<_, (Option<String>,)>(
                "SELECT person_id FROM index_records WHERE council_id = $1 AND system = $2 AND record_id = $3",
            )
            .bind(council_text.clone())
            .bind(system)
            .bind(record)
        };
        let left = person(ls.clone(), lr.clone())
            .fetch_optional(&mut *tx)
            .await?
            .and_then(|r| r.0);
        let right = person(rs.clone(), rr.clone())
            .fetch_optional(&mut *tx)
            .await?
            .and_then(|r| r.0);
        if let (Some(left), Some(right)) = (left, right) {
            sql::query(
                "UPDATE index_records SET person_id = $2 WHERE council_id = $1 AND person_id = $3",
            )
            .bind(&council_text)
            .bind(&left)
            .bind(&right)
            .execute(&mut *tx)
            .await?;
            if left != right {
                for person in [left, right] {
                    joined.push(person.parse().map_err(|_| {
                        StoreError::decode(format!("'{person}' is not a person id"))
                    })?);
                }
            }
        }
    }
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (reviewer.actor.clone(), reviewer.label),
            Action::Update,
            RecordRef::IndexReview(id),
        )
        .fields(["person"])
        .purpose(PURPOSE),
    )
    .await?;
    let events = crate::events::person_changed(council, joined)?;
    townhall_events::record(&mut tx, &events).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((RecordKey::new(ls, lr), RecordKey::new(rs, rr)))
}
