//! epa-notify: invites parsed back, and the outbox worker on SQLite and
//! (when `EPA_TEST_PG_URL` is set) PostgreSQL.

mod ics;
mod worker;

/// `both!(name, |db| async { ... })`: the body once per database.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test_db = epa_testkit::TestDb::new(epa_store::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                ($body)(test_db.db.clone()).await;
                test_db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
