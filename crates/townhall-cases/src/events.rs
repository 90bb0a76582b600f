//! A case's history: one row per thing that happened, numbered from 1.

use crate::model::Audience;
use townhall_store::{sql, StoreError, Tx};
use townhall_types::{CaseId, CouncilId, Timestamp};

/// One thing that happened to a case.
pub(crate) struct Event<'a> {
    pub kind: &'a str,
    pub status: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Who may read it.
    pub audience: Audience,
    pub actor: &'a str,
    pub at: Timestamp,
}

/// Appends an event to the case's history.
pub(crate) async fn record(
    tx: &mut Tx,
    council: CouncilId,
    case: CaseId,
    e: &Event<'_>,
) -> Result<(), StoreError> {
    sql::query(
        "INSERT INTO case_events (council_id, case_id, seq, kind, status, note, public, published, actor, created_at) \
         SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7, $8, $9 FROM case_events \
         WHERE council_id = $1 AND case_id = $2",
    )
    .bind(council.to_string())
    .bind(case.to_string())
    .bind(e.kind)
    .bind(e.status)
    .bind(e.note)
    .bind(i64::from(e.audience.flags().0))
    .bind(i64::from(e.audience.flags().1))
    .bind(e.actor)
    .bind(e.at.to_db())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
