//! Test support shared by every crate's integration tests: a fresh database
//! per test on SQLite (always) and PostgreSQL (when `EPA_TEST_PG_URL` names a
//! server), the real router on port 0, and a clock that tests set.

mod clock;
mod database;

pub use clock::FakeClock;
pub use database::{TestDb, pg_url, skip_without_postgres};

use epa_store::Db;
use epa_web::AppState;

/// The real application, served on a free loopback port for one test.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
}

impl TestApp {
    /// Starts the router on `127.0.0.1:0` over `db`.
    pub async fn spawn(db: Db) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let app = epa_web::router(AppState { db: db.clone() });
        tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("serve the test app");
        });
        TestApp {
            address,
            client: reqwest::Client::new(),
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request to the test app")
    }
}
