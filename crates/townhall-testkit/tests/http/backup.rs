//! Backup and restore: a full copy of the demo council, across backends, and
//! damaged files that must leave the target untouched.

use townhall_testkit::TestStore;

/// The demo council in a SQLite store, and its backup.
async fn demo_backup() -> (TestStore, Vec<u8>) {
    let source = TestStore::sqlite().await;
    let config = tempfile::tempdir().unwrap();
    townhall::platform()
        .unwrap()
        .seed_demo(&source.store, config.path(), &())
        .await
        .unwrap();
    // A photo, so that bytes are copied too.
    let council = townhall_places::council_by_slug(&source.store, "riverside")
        .await
        .unwrap()
        .unwrap();
    townhall_cases::attachments::upload(
        &source.store,
        council.id,
        "pothole.png",
        crate::photos::png_naming("Martin Hughes"),
        townhall_types::Timestamp::now(),
    )
    .await
    .unwrap();
    let mut file = Vec::new();
    source.store.backup(&mut file, &()).await.unwrap();
    (source, file)
}

/// The backup's rows, sorted, without the header (which holds the time it was taken).
fn rows(backup: &[u8]) -> Vec<String> {
    let text = String::from_utf8(backup.to_vec()).unwrap();
    let mut lines: Vec<String> = text.lines().skip(1).map(str::to_owned).collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn a_restored_store_holds_exactly_what_was_backed_up() {
    let (source, file) = demo_backup().await;
    // On CI the target is PostgreSQL: the embedded store moves across.
    let target = TestStore::new().await;
    let summary = target
        .store
        .restore(&mut file.as_slice(), &())
        .await
        .unwrap();
    assert!(summary.rows > 3_000, "{summary:?}");
    let mut again = Vec::new();
    target.store.backup(&mut again, &()).await.unwrap();
    assert_eq!(rows(&file), rows(&again));
    let before = townhall_audit::verify(&source.store, &()).await.unwrap();
    let after = townhall_audit::verify(&target.store, &()).await.unwrap();
    assert!(after.intact(), "{:?}", after.breaches);
    assert_eq!(before.entries, after.entries);
    // The restored store works: the demo resident can still sign in.
    let council = townhall_places::council_by_slug(&target.store, "riverside")
        .await
        .unwrap()
        .unwrap();
    let email = townhall_types::EmailAddress::parse("martin.hughes@riverside.example").unwrap();
    let signed_in = townhall_identity::accounts::sign_in_with_password(
        &target.store,
        council.id,
        (townhall_identity::UserKind::Resident, &email),
        townhall_identity::demo::PASSWORD,
        None,
    )
    .await
    .unwrap();
    assert!(signed_in.is_ok());
}

#[tokio::test]
async fn damaged_backups_are_refused_and_leave_the_target_empty() {
    let (_source, file) = demo_backup().await;
    let text = String::from_utf8(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let truncated = lines[..lines.len() - 1].join("\n");
    let mut damaged_row = lines.clone();
    let last_row = lines
        .iter()
        .rposition(|l| l.starts_with('['))
        .expect("the demo has rows");
    damaged_row[last_row] = "[\"not\", \"enough\"]";
    let damaged_row = damaged_row.join("\n");
    let damaged_message = format!("line {}: expected a row of", last_row + 1);
    let cases = [
        (truncated.as_str(), "incomplete"),
        (damaged_row.as_str(), damaged_message.as_str()),
        ("{\"hello\": 1}\n", "not a Townhall backup"),
        ("", "empty"),
    ];
    for (input, expected) in cases {
        let target = TestStore::new().await;
        let err = target
            .store
            .restore(&mut input.as_bytes(), &())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "expected '{expected}' in: {err}");
        assert!(townhall_places::councils(&target.store)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn a_store_that_holds_data_is_never_overwritten() {
    let (source, file) = demo_backup().await;
    let err = source
        .store
        .restore(&mut file.as_slice(), &())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("already holds data"), "{err}");
}
