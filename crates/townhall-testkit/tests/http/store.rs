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

/// What a grouped item does.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Outcome {
    Commits,
    /// Refused: answered with an error, writing nothing.
    Refused,
    /// Panics in the middle of its batch.
    Panics,
    /// Writes a row whose parent does not exist: a deferred foreign key
    /// that only the commit checks, so its whole batch cannot commit.
    Orphan,
}

/// Writes one row per item, and remembers the largest batch it was given.
#[derive(Default)]
struct Rows {
    largest: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl townhall_store::Batch for Rows {
    type Item = (i64, Outcome);
    type Output = i64;
    type Error = townhall_store::StoreError;

    async fn run(
        &self,
        tx: &mut townhall_store::Tx,
        items: &[(i64, Outcome)],
    ) -> Result<Vec<Result<i64, Self::Error>>, Self::Error> {
        self.largest
            .fetch_max(items.len(), std::sync::atomic::Ordering::Relaxed);
        let mut answers = Vec::new();
        for (n, outcome) in items {
            let parent = match outcome {
                Outcome::Refused => {
                    answers.push(Err(townhall_store::StoreError::decode("refused")));
                    continue;
                }
                Outcome::Panics => panic!("a bug while writing {n}"),
                Outcome::Orphan => -1,
                Outcome::Commits => 0,
            };
            townhall_store::sql::query(
                "INSERT INTO grouped_rows (council_id, n, parent) VALUES ('c', $1, $2)",
            )
            .bind(n)
            .bind(parent)
            .execute(&mut **tx)
            .await?;
            answers.push(Ok(*n));
        }
        Ok(answers)
    }
}

async fn create_grouped_tables(store: &townhall_store::Store) {
    let mut tx = store.begin().await.unwrap();
    for ddl in [
        "CREATE TABLE grouped_parents (council_id TEXT NOT NULL, id BIGINT PRIMARY KEY)",
        "INSERT INTO grouped_parents (council_id, id) VALUES ('c', 0)",
        "CREATE TABLE grouped_rows (council_id TEXT NOT NULL, n BIGINT PRIMARY KEY, \
         parent BIGINT NOT NULL REFERENCES grouped_parents (id) DEFERRABLE INITIALLY DEFERRED)",
    ] {
        townhall_store::sql::query(ddl)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Hands 300 items to a batcher at once, the outcome of each chosen by
/// `kind`; checks each answer and returns the rows stored and the largest batch.
async fn run_grouped(
    store: &townhall_store::Store,
    kind: impl Fn(i64) -> Outcome,
) -> (Vec<i64>, usize) {
    create_grouped_tables(store).await;
    let rows = Rows::default();
    let largest = rows.largest.clone();
    let batcher = townhall_store::Batcher::new(store, rows);
    let tasks: Vec<_> = (1..=300)
        .map(|n| {
            let batcher = batcher.clone();
            let outcome = kind(n);
            tokio::spawn(async move { (n, outcome, batcher.run((n, outcome)).await) })
        })
        .collect();
    for t in tasks {
        let (n, outcome, answer) = t.await.unwrap();
        match answer {
            Ok(got) => assert!(got == n && outcome == Outcome::Commits, "{n}: {outcome:?}"),
            Err(e) => assert!(outcome != Outcome::Commits, "{n} failed: {e}"),
        }
    }
    let stored: Vec<(i64,)> =
        townhall_store::sql::query_as("SELECT n FROM grouped_rows ORDER BY n")
            .fetch_all(store.reader())
            .await
            .unwrap();
    let largest = largest.load(std::sync::atomic::Ordering::Relaxed);
    (stored.into_iter().map(|(n,)| n).collect(), largest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn grouped_items_commit_together_and_fail_alone() {
    let db = TestStore::new().await;
    let (rows, largest) = run_grouped(&db.store, |n| match n {
        13 | 150 => Outcome::Panics,
        n if n % 7 == 0 => Outcome::Refused,
        _ => Outcome::Commits,
    })
    .await;
    let expected: Vec<i64> = (1..=300)
        .filter(|n| *n != 13 && *n != 150 && n % 7 != 0)
        .collect();
    assert_eq!(rows, expected);
    assert!(largest > 1, "every batch held one item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_that_cannot_commit_is_made_again_item_by_item() {
    let db = TestStore::new().await;
    let (rows, _) = run_grouped(&db.store, |n| {
        if n % 50 == 0 {
            Outcome::Orphan
        } else {
            Outcome::Commits
        }
    })
    .await;
    let expected: Vec<i64> = (1..=300).filter(|n| n % 50 != 0).collect();
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn a_connection_the_server_closed_is_replaced_after_a_pause() {
    let db = TestStore::new().await;
    if db.store.backend() != townhall_store::Backend::Postgres {
        return;
    }
    let name = format!("townhall_test_{}", uuid::Uuid::now_v7().simple());
    let store = townhall_store::Store::connect(&format!("{}&application_name={name}", db.url))
        .await
        .unwrap();
    let alive = || async {
        townhall_store::sql::query("SELECT 1")
            .execute(store.reader())
            .await
    };
    alive().await.unwrap();
    // The server restarts, or an administrator ends the sessions.
    townhall_store::sql::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(&name)
    .execute(db.store.reader())
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    alive().await.unwrap();
}
