//! The store conformance suite: every test runs on SQLite, and again on
//! PostgreSQL when `EPA_TEST_PG_URL` is set, each on a fresh database.

mod audit;
mod diary;
mod direct_reads;
mod enums;
mod idempotency;
mod kept_deadlines;
mod people;
mod recent;
mod remembered_rows;
mod schema;
mod settings;
mod sweep;
mod writes;

/// Declares `mod NAME { sqlite, postgres }`, running `body(db)` on each backend.
/// Without `EPA_TEST_PG_URL` the PostgreSQL run says it was skipped and passes,
/// unless `EPA_REQUIRE_PG=1` (see `epa_testkit::skip_without_postgres`).
#[macro_export]
macro_rules! conformance {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let test_db = epa_testkit::TestDb::new(epa_store::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                ($body)(test_db.db.clone()).await;
                test_db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(test_db) = epa_testkit::TestDb::new(epa_store::Backend::Postgres).await
                else {
                    epa_testkit::skip_without_postgres();
                    return;
                };
                ($body)(test_db.db.clone()).await;
                test_db.finish().await;
            }
        }
    };
}
