//! Both migration sets build the same tables with the same columns.

use epa_store::schema;
use epa_testkit::TestDb;

/// Migrates a fresh SQLite and a fresh PostgreSQL database and compares what
/// each reports: a column added to one migration set and forgotten in the
/// other fails here, whoever adds it.
#[tokio::test]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let Some(postgres) = TestDb::postgres().await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let on_sqlite = schema::tables(&sqlite.db).await.expect("SQLite schema");
    let on_postgres = schema::tables(&postgres.db)
        .await
        .expect("PostgreSQL schema");
    assert!(on_sqlite.contains_key("audit_events"), "{on_sqlite:?}");
    assert_eq!(on_sqlite, on_postgres);
    sqlite.finish().await;
    postgres.finish().await;
}

crate::conformance!(
    migrating_twice_changes_nothing,
    |db: epa_store::Db| async move {
        let before = schema::tables(&db).await.expect("read the schema");
        for table in [
            "apprentices",
            "audit_events",
            "epas",
            "organisations",
            "outbox_messages",
            "users",
        ] {
            assert!(before.contains_key(table), "{table} missing: {before:?}");
        }
        db.migrate().await.expect("second migration run");
        assert_eq!(schema::tables(&db).await.expect("read the schema"), before);
    }
);
