//! The OpenAPI document is part of the API's contract: a snapshot shows
//! every change to it in review.

use epa_testkit::{TestApp, TestDb};

#[tokio::test]
async fn the_openapi_document_is_served_and_unchanged() {
    let test_db = TestDb::sqlite().await;
    let app = TestApp::spawn(test_db.db.clone()).await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    insta::assert_json_snapshot!("openapi", document);
    assert_eq!(app.get("/api/docs/").await.status(), 200);
    test_db.finish().await;
}
