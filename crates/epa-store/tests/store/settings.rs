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
    let epa_store::Db::Sqlite(sqlite) = &test_db.db else {
        panic!("expected SQLite");
    };
    let pool = sqlite.pool();
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

/// A connection PostgreSQL dropped while it sat idle in the pool (a
/// server restart, an administrator's `pg_terminate_backend`) is pinged
/// on its way out and replaced: the next request is answered, not failed.
#[tokio::test]
async fn postgres_replaces_a_connection_dropped_while_idle() {
    let Some(test_db) = epa_testkit::TestDb::new(epa_store::Backend::Postgres).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let epa_store::Db::Postgres(pool) = &test_db.db else {
        panic!("expected PostgreSQL");
    };
    // Every connection the pool holds, terminated by another session.
    let ours: Vec<i32> = sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mine: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap();
    let other = epa_store::Db::connect(&test_db.url).await.unwrap();
    let epa_store::Db::Postgres(other_pool) = &other else {
        panic!("expected PostgreSQL");
    };
    for pid in ours.iter().chain([&mine]) {
        sqlx::query("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .execute(other_pool)
            .await
            .unwrap();
    }
    other.close().await;
    // Idle past the threshold, so the pool pings before handing it out.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    test_db.db.ping().await.expect("a fresh connection answers");
    let tx = test_db.db.begin_write().await.expect("begin");
    tx.commit().await.expect("commit");
    test_db.finish().await;
}
