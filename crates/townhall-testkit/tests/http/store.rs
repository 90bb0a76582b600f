//! The store's own guarantees, on whichever backend the tests run against.

use townhall_testkit::{migrations, TestStore};

#[tokio::test]
async fn every_table_belongs_to_a_council() {
    let db = TestStore::new().await;
    let tables = db.store.table_names().await.unwrap();
    assert!(tables.len() >= 12, "{tables:?}");
    for table in tables.iter().filter(|t| *t != "schema_migrations") {
        let columns = db.store.column_names(table).await.unwrap();
        assert!(
            columns.iter().any(|c| c == "council_id"),
            "{table} has no council_id: {columns:?}"
        );
    }
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let db = TestStore::new().await;
    let again = db.store.migrate(&migrations()).await.unwrap();
    assert!(again.applied.is_empty());
    assert_eq!(again.already, migrations().len());
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    let db = TestStore::new().await;
    let mut changed = migrations();
    changed[0].sqlite = "CREATE TABLE sneaky (council_id TEXT)";
    changed[0].postgres = "CREATE TABLE sneaky (council_id TEXT)";
    let err = db.store.migrate(&changed).await.unwrap_err();
    assert!(
        err.to_string().contains("was changed after it was applied"),
        "{err}"
    );
}

#[tokio::test]
async fn a_failed_transaction_leaves_nothing_behind() {
    let db = TestStore::new().await;
    let mut tx = db.store.begin().await.unwrap();
    townhall_places::create_council(&mut tx, "ghost", "Ghost Council")
        .await
        .unwrap();
    drop(tx);
    assert!(townhall_places::councils(&db.store)
        .await
        .unwrap()
        .is_empty());
    let mut tx = db.store.begin().await.unwrap();
    townhall_places::create_council(&mut tx, "real", "Real Council")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.store.begin().await.unwrap();
    let dup = townhall_places::create_council(&mut tx, "real", "Again").await;
    assert!(matches!(
        dup,
        Err(townhall_places::CouncilError::SlugTaken(_))
    ));
}
