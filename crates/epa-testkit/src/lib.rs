//! Test support shared by every crate's integration tests: a fresh database
//! per test on SQLite (always) and PostgreSQL (when `EPA_TEST_PG_URL` names a
//! server), the real router on port 0, and a clock that tests set.

mod clock;
mod database;
pub mod seed;

pub use clock::FakeClock;
pub use database::{TestDb, pg_url, scalar, skip_without_postgres};

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use epa_store::Db;
use epa_web::AppState;

/// The real application, served on a free loopback port for one test.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub clock: FakeClock,
    /// Where this app's file store keeps uploads (`ab/cdef...` under it).
    pub files_dir: PathBuf,
    // Kept so the uploads outlive the test; removed on drop.
    _files: Arc<tempfile::TempDir>,
}

impl TestApp {
    /// Starts the router on `127.0.0.1:0` over `db`, with the clock at
    /// 09:00 on Monday 2 November 2026, the built-in plans and a file store
    /// in a temporary directory.
    pub async fn spawn(db: Db) -> TestApp {
        TestApp::spawn_with(db, |_| {}).await
    }

    /// [`TestApp::spawn`], with the app's settings changed by `configure` first.
    pub async fn spawn_with(db: Db, configure: impl FnOnce(&mut epa_app::App)) -> TestApp {
        // `RUST_LOG=debug cargo test ...` shows the app's logs beside a failing test.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_test_writer()
                .try_init();
        }
        let clock = FakeClock::at(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let files = tempfile::tempdir().expect("temporary directory for uploads");
        let files_dir = files.path().join("files");
        let store = epa_store::files::LocalFiles::open(&files_dir).expect("open the file store");
        let app = epa_app::App::new(
            db.clone(),
            Arc::new(clock.clone()),
            epa_plan::Catalog::embedded(),
        )
        .with_files(Arc::new(store));
        let mut app = app;
        configure(&mut app);
        let app = epa_web::router(AppState { app });
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("serve the test app");
        });
        TestApp {
            address,
            client: reqwest::Client::new(),
            db,
            clock,
            files_dir,
            _files: Arc::new(files),
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

    /// `GET path` as the holder of `token`.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request to the test app")
    }

    /// `POST path` with a JSON body as the holder of `token`.
    pub async fn post_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request to the test app")
    }
}
