//! A case's history: one row per thing that happened, numbered from 1. Every
//! change to a case is recorded here, and each moves the council's count of
//! changes ([`crate::public::version`]) in the same transaction.

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
    let insert = sql::query(
        "INSERT INTO case_events (council_id, case_id, seq, kind, status, note, public, published, actor, created_at) \
         SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7, $8, $9 FROM case_events \
         WHERE council_id = $1 AND case_id = $2",
    )
    .bind(council.to_string())
    .bind(case.to_string());
    bind_event(insert, e).execute(&mut **tx).await?;
    changed(tx, council).await
}

/// Writes the first event of each of `events`' new cases, in one statement.
pub(crate) async fn record_first(
    tx: &mut Tx,
    events: &[(CouncilId, CaseId, Event<'_>)],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let text = format!(
        "INSERT INTO case_events (council_id, case_id, seq, kind, status, note, public, published, actor, created_at) \
         VALUES {}",
        townhall_store::placeholders(events.len(), 10)
    );
    let mut insert = sql::query(&text);
    for (council, case, e) in events {
        insert = bind_event(
            insert
                .bind(council.to_string())
                .bind(case.to_string())
                .bind(1_i64),
            e,
        );
    }
    insert.execute(&mut **tx).await?;
    let mut councils: Vec<CouncilId> = Vec::new();
    for (council, ..) in events {
        if !councils.contains(council) {
            councils.push(*council);
        }
    }
    for council in councils {
        changed(tx, council).await?;
    }
    Ok(())
}

/// Binds what an event says, after its case and number.
fn bind_event<'q>(
    query: sql::query::Query<'q, sql::Any, sql::any::AnyArguments<'q>>,
    e: &Event<'q>,
) -> sql::query::Query<'q, sql::Any, sql::any::AnyArguments<'q>> {
    query
        .bind(e.kind)
        .bind(e.status)
        .bind(e.note)
        .bind(i64::from(e.audience.flags().0))
        .bind(i64::from(e.audience.flags().1))
        .bind(e.actor)
        .bind(e.at.to_db())
}

/// Moves the council's count of changes on by one.
async fn changed(tx: &mut Tx, council: CouncilId) -> Result<(), StoreError> {
    sql::query(
        "INSERT INTO case_counters (council_id, last, changes) VALUES ($1, 0, 1) \
         ON CONFLICT (council_id) DO UPDATE SET changes = case_counters.changes + 1",
    )
    .bind(council.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
