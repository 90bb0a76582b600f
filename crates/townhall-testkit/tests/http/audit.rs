//! The audit chain: appends, verification, tampering, and residents' view of it.

use townhall_audit::{Action, Actor, AuditEvent};
use townhall_store::sql;
use townhall_testkit::TestStore;
use townhall_types::CouncilId;

fn event(council: CouncilId, n: usize) -> AuditEvent {
    AuditEvent::new(
        council,
        (
            Actor::Staff(format!("staff-{n}")),
            "Priya Shah, Caseworker, Housing",
        ),
        Action::Read,
        townhall_audit::RecordRef::Resident(townhall_types::UserId::new()),
    )
    .about(Some(format!("resident-{}", n % 3)))
    .fields(["phone", "uprn"])
    .purpose("housing support")
}

async fn fill(db: &TestStore, n: usize) -> CouncilId {
    let mut tx = db.store.begin().await.unwrap();
    let council = townhall_places::create_council(&mut tx, "chain", "Chain Council")
        .await
        .unwrap()
        .id;
    for i in 0..n {
        townhall_audit::append(&mut tx, &event(council, i))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    council
}

#[tokio::test]
async fn an_untouched_log_verifies() {
    let db = TestStore::new().await;
    let council = fill(&db, 50).await;
    let report = townhall_audit::verify(&db.store, &()).await.unwrap();
    assert!(report.intact(), "{:?}", report.breaches);
    assert_eq!(report.entries, 50);
    let mine = townhall_audit::about_subject(&db.store, council, "resident-1", 100)
        .await
        .unwrap();
    assert_eq!(mine.len(), 17);
    assert!(mine.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let db = TestStore::new().await;
    fill(&db, 30).await;
    sql::query("UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 17")
        .execute(db.store.reader())
        .await
        .unwrap();
    let report = townhall_audit::verify(&db.store, &()).await.unwrap();
    assert_eq!(report.breaches.len(), 1);
    assert_eq!(report.breaches[0].seq, 17);
    assert!(report.breaches[0].reason.contains("edited"));
}

#[tokio::test]
async fn a_deleted_row_is_named() {
    let db = TestStore::new().await;
    fill(&db, 30).await;
    sql::query("DELETE FROM audit_log WHERE seq = 9")
        .execute(db.store.reader())
        .await
        .unwrap();
    let report = townhall_audit::verify(&db.store, &()).await.unwrap();
    assert_eq!(report.breaches[0].seq, 9);
    assert!(report.breaches[0].reason.contains("missing"));
}

#[tokio::test]
async fn a_truncated_tail_is_detected() {
    let db = TestStore::new().await;
    fill(&db, 30).await;
    sql::query("DELETE FROM audit_log WHERE seq > 25")
        .execute(db.store.reader())
        .await
        .unwrap();
    let report = townhall_audit::verify(&db.store, &()).await.unwrap();
    assert_eq!(report.breaches[0].seq, 26);
}

#[tokio::test]
async fn a_rehashed_entry_breaks_the_next_link() {
    let db = TestStore::new().await;
    fill(&db, 10).await;
    // An editor who recomputes the entry's own hash still breaks the link from the next one.
    sql::query("UPDATE audit_log SET hash = 'ff' WHERE seq = 4")
        .execute(db.store.reader())
        .await
        .unwrap();
    let report = townhall_audit::verify(&db.store, &()).await.unwrap();
    assert_eq!(report.breaches[0].seq, 4);
}
