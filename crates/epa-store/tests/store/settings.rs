//! The database is opened with the settings durability depends on.

crate::conformance!(
    answers_ping_and_write_transactions,
    |db: epa_store::Db| async move {
        db.ping().await.expect("ping");
        let tx = db.begin_write().await.expect("begin a write transaction");
        tx.commit().await.expect("commit");
    }
);

#[tokio::test]
async fn sqlite_runs_wal_full_sync_and_foreign_keys() {
    let test_db = epa_testkit::TestDb::sqlite().await;
    let epa_store::Db::Sqlite(pool) = &test_db.db else {
        panic!("expected SQLite");
    };
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await
        .unwrap();
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!((journal.as_str(), synchronous, foreign_keys), ("wal", 2, 1));
    test_db.finish().await;
}

#[tokio::test]
async fn an_unknown_url_scheme_is_refused_with_its_name() {
    let err = epa_store::Db::open("mysql://localhost/epa")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("mysql://localhost/epa"), "{err}");
}

#[tokio::test]
async fn a_postgres_password_never_appears_in_errors() {
    // Port 1 on loopback: nothing listens there, so this fails at once.
    let err = epa_store::Db::open("postgres://epa:hunter2@127.0.0.1:1/epa")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("postgres://epa:***@127.0.0.1:1/epa"),
        "{text}"
    );
}
