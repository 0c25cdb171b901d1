//! A fresh, migrated database for one test: a SQLite file in a temporary
//! directory, or a new PostgreSQL database created on the server named by
//! `EPA_TEST_PG_URL`.

use epa_store::{Backend, Db};
use tempfile::TempDir;

/// The PostgreSQL server for tests, when one is configured.
pub fn pg_url() -> Option<String> {
    std::env::var("EPA_TEST_PG_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

pub struct TestDb {
    pub db: Db,
    pub url: String,
    // Kept so the SQLite file outlives the test; removed on drop.
    _dir: Option<TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database on `backend`; `None` for PostgreSQL when no server is configured.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(TestDb::sqlite().await),
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("epa.db").display());
        let db = Db::open(&url).await.expect("open the SQLite test database");
        TestDb {
            db,
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let admin_url = pg_url()?;
        let name = format!("epa_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Db::connect(&admin_url)
            .await
            .expect("connect to EPA_TEST_PG_URL");
        if let Db::Postgres(pool) = &admin {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(pool)
                .await
                .expect("create a test database");
        }
        admin.close().await;
        let url = with_database(&admin_url, &name);
        let db = Db::open(&url)
            .await
            .expect("open the PostgreSQL test database");
        Some(TestDb {
            db,
            url,
            _dir: None,
            postgres: Some((admin_url, name)),
        })
    }

    /// Closes the database and, on PostgreSQL, drops it.
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = &self.postgres
            && let Ok(Db::Postgres(pool)) = Db::connect(admin_url).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&pool)
                .await;
            pool.close().await;
        }
    }
}

/// The one number `sql` (a statement without parameters) selects, on
/// either database: for a test that counts rows no use case reads. The
/// number must be a 64-bit integer on PostgreSQL, as `COUNT(*)` is.
pub async fn scalar(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(sqlite) => sqlx::query_scalar(sql).fetch_one(sqlite.pool()).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .unwrap_or_else(|err| panic!("{sql}: {err}"))
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[after_scheme..]
        .find('/')
        .map(|i| i + after_scheme)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Called by a PostgreSQL test when no server is configured: a skip on a
/// developer's machine, a failure where `EPA_REQUIRE_PG=1` (set by `.ci/run`
/// for its PostgreSQL pass), so CI can never pass by skipping silently.
pub fn skip_without_postgres() {
    assert!(
        std::env::var("EPA_REQUIRE_PG").as_deref() != Ok("1"),
        "EPA_REQUIRE_PG=1 but EPA_TEST_PG_URL names no PostgreSQL server"
    );
    eprintln!("skipped: EPA_TEST_PG_URL is not set");
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t1"),
            "postgres://u:p@h/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }
}
