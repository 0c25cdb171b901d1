//! `/healthz` and `/readyz`.

use epa_store::Backend;
use epa_testkit::{TestApp, TestDb};

async fn health_and_readiness(backend: Backend) {
    let Some(test_db) = TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let app = TestApp::spawn(test_db.db.clone()).await;

    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let request_id = health
        .headers()
        .get("x-request-id")
        .expect("every response carries a request ID")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");

    // With the database closed, the node is alive but not ready.
    test_db.db.close().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 503);
    test_db.finish().await;
}

#[tokio::test]
async fn sqlite() {
    health_and_readiness(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres() {
    health_and_readiness(Backend::Postgres).await;
}

#[tokio::test]
async fn an_unknown_path_is_404() {
    let test_db = TestDb::sqlite().await;
    let app = TestApp::spawn(test_db.db.clone()).await;
    assert_eq!(app.get("/no-such-page").await.status(), 404);
    test_db.finish().await;
}
