//! Uploads in S3-compatible object storage, as an operator runs them: two
//! `epa serve` processes on one PostgreSQL database and one bucket, a file
//! uploaded through one and downloaded through the other, damaged bytes
//! refused, and every bad setting one clear line at start-up.
//!
//! The tests that need a server run only when `EPA_TEST_S3_URL` names an
//! S3-compatible endpoint that accepts any credentials and unsigned bucket
//! creation (moto's server: `moto_server -H 127.0.0.1 -p PORT`), and
//! `EPA_TEST_PG_URL` a PostgreSQL server; `EPA_REQUIRE_S3=1` makes a missing
//! endpoint a failure rather than a skip.

use std::process::{Command, Stdio};

use chrono::Utc;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde_json::{Value, json};

use crate::serve::{Server, assert_one_line};

/// A tiny but real-looking PNG: the signature and an IHDR chunk.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\0IEND\xaeB`\x82";

/// Test credentials: the test server takes any.
const CREDENTIALS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// The S3-compatible endpoint to test against, or `None` (and a skip).
fn s3_url() -> Option<String> {
    let url = std::env::var("EPA_TEST_S3_URL")
        .ok()
        .filter(|url| !url.trim().is_empty());
    if url.is_none() {
        assert!(
            std::env::var("EPA_REQUIRE_S3").as_deref() != Ok("1"),
            "EPA_REQUIRE_S3=1 but EPA_TEST_S3_URL names no S3-compatible server"
        );
        eprintln!("skipped: EPA_TEST_S3_URL is not set");
    }
    url.map(|url| url.trim_end_matches('/').to_owned())
}

/// A fresh bucket on the test server (which takes unsigned requests).
async fn fresh_bucket(client: &reqwest::Client, endpoint: &str) -> String {
    let bucket = format!("epa-test-{}", uuid::Uuid::new_v4().simple());
    let response = client
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("the S3 test server answers");
    assert!(
        response.status().is_success(),
        "bucket not made: {response:?}"
    );
    bucket
}

/// The environment that sends a server's uploads to `bucket` at `endpoint`.
fn s3_env<'a>(endpoint: &'a str, files_url: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("EPA_FILES_URL", files_url),
        ("EPA_S3_ENDPOINT", endpoint),
        ("EPA_S3_ALLOW_HTTP", "true"),
        ("EPA_S3_REGION", "eu-west-2"),
    ];
    env.extend(CREDENTIALS);
    env
}

/// Runs `epa serve` with only `env` for its uploads' settings and
/// credentials; answers its exit code and stderr. For settings that stop
/// it before it listens.
fn refused_start(data_dir: &std::path::Path, env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_epa"));
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env_remove("EPA_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for key in [
        "EPA_FILES_DIR",
        "EPA_FILES_URL",
        "EPA_S3_ENDPOINT",
        "EPA_S3_REGION",
        "EPA_S3_ALLOW_HTTP",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        command.env_remove(key);
    }
    let output = command.envs(env.iter().copied()).output().expect("run epa");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn s3_settings_that_cannot_work_stop_start_up_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let bucket = ("EPA_FILES_URL", "s3://epa-uploads/files");
    let endpoint = ("EPA_S3_ENDPOINT", "http://127.0.0.1:9");
    let with_credentials = |more: &[(&'static str, &'static str)]| {
        let mut env = CREDENTIALS.to_vec();
        env.extend_from_slice(more);
        env
    };
    for (env, named) in [
        (
            with_credentials(&[("EPA_FILES_URL", "https://epa-uploads")]),
            "setting files_url = \"https://epa-uploads\" is not allowed: use s3://BUCKET",
        ),
        (
            with_credentials(&[("EPA_FILES_URL", "s3://Epa_Uploads")]),
            "is not a bucket name",
        ),
        (
            with_credentials(&[("EPA_FILES_URL", "s3://epa-uploads/a//b")]),
            "is not a key prefix",
        ),
        (
            with_credentials(&[bucket, ("EPA_FILES_DIR", "/srv/files")]),
            "setting files_dir is set beside files_url",
        ),
        (
            with_credentials(&[endpoint]),
            "setting s3_endpoint is set without files_url",
        ),
        (
            with_credentials(&[bucket, endpoint]),
            "it is plain http; use https://, or set s3_allow_http = true",
        ),
        (
            with_credentials(&[bucket, ("EPA_S3_ENDPOINT", "s3.example.org")]),
            "setting s3_endpoint = \"s3.example.org\" is not allowed",
        ),
        (
            with_credentials(&[bucket, ("EPA_S3_REGION", "eu west")]),
            "setting s3_region = \"eu west\" is not allowed",
        ),
        (
            vec![bucket, ("AWS_ACCESS_KEY_ID", "testing")],
            "needs AWS_SECRET_ACCESS_KEY in the environment",
        ),
        (vec![bucket], "needs AWS_ACCESS_KEY_ID in the environment"),
    ] {
        let (code, stderr) = refused_start(dir.path(), &env);
        assert_eq!(code, 2, "{env:?}: {stderr}");
        assert_one_line(&stderr, named);
        assert!(!stderr.contains("testing"), "no credential in: {stderr}");
    }
    // Refused before anything was written: no data directory either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn s3_a_bucket_that_is_not_there_stops_start_up_in_one_line() {
    let Some(endpoint) = s3_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("s3://epa-missing-{}", uuid::Uuid::new_v4().simple());
    let (code, stderr) = refused_start(dir.path(), &s3_env(&endpoint, &missing));
    assert_eq!(code, 2, "{stderr}");
    assert_one_line(
        &stderr,
        &format!("cannot use {missing} at {endpoint} for uploads"),
    );
}

#[test]
fn s3_two_nodes_on_postgres_share_uploads_in_one_bucket() {
    let Some(endpoint) = s3_url() else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(test_db) = runtime.block_on(epa_testkit::TestDb::postgres()) else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let client = reqwest::Client::new();
    let bucket = runtime.block_on(fresh_bucket(&client, &endpoint));
    // The test's own view of the bucket, with the same credentials.
    let bucket_store = AmazonS3Builder::new()
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_region("eu-west-2")
        .with_bucket_name(&bucket)
        .with_access_key_id(CREDENTIALS[0].1)
        .with_secret_access_key(CREDENTIALS[1].1)
        .build()
        .unwrap();
    let world = runtime.block_on(epa_testkit::seed::world(&test_db.db, Utc::now()));
    let files_url = format!("s3://{bucket}/uploads");
    let env = s3_env(&endpoint, &files_url);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let node = |dir: &tempfile::TempDir| {
        Server::start_with_env(
            &[
                "--database-url",
                &test_db.url,
                "--data-dir",
                dir.path().to_str().unwrap(),
            ],
            &env,
        )
    };
    let (a, b) = (node(&dir_a), node(&dir_b));
    let url = |server: &Server, path: &str| format!("http://127.0.0.1:{}{path}", server.port);

    runtime.block_on(async {
        // Registered and uploaded on node A...
        let response = client
            .post(url(&a, "/api/v1/epas"))
            .bearer_auth(&world.operations.token)
            .json(&json!({
                "uln": "1000000078",
                "given_names": "Noor",
                "family_name": "Ahmed",
                "date_of_birth": "2003-04-17",
                "employer_id": world.employer,
                "provider_id": world.provider,
                "standard": "ST0071",
                "policy": "innovate",
                "start_date": "2025-06-02",
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let epa: Value = response.json().await.unwrap();
        let epa = epa["id"].as_str().unwrap();
        // The photo ID, as the provider uploads it; answers the document's ID.
        let upload = async |node: &Server, name: &str| {
            let response = client
                .post(url(
                    node,
                    &format!("/api/v1/epas/{epa}/documents?purpose=photo_id"),
                ))
                .bearer_auth(&world.provider_user.token)
                .header("X-File-Name", name)
                .body(PNG.to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let document: Value = response.json().await.unwrap();
            document["id"].as_str().unwrap().to_owned()
        };
        let document = upload(&a, "id.png").await;

        // ...downloaded, the same bytes, on node B.
        let content = format!("/api/v1/documents/{document}/content");
        let response = client
            .get(url(&b, &content))
            .bearer_auth(&world.operations.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);

        // Kept in the bucket under the prefix and the hash, and on neither
        // node's disk.
        let id = epa_store::files::FileId::of(PNG);
        let key = Path::from(format!(
            "uploads/{}/{}",
            &id.as_str()[..2],
            &id.as_str()[2..]
        ));
        let stored = bucket_store.get(&key).await.unwrap().bytes().await.unwrap();
        assert_eq!(stored.as_ref(), PNG);
        for dir in [&dir_a, &dir_b] {
            assert!(!dir.path().join("files").exists());
        }

        // The same file uploaded on node B is stored once, under the same key.
        upload(&b, "again.png").await;
        let dir = Path::from(format!("uploads/{}", &id.as_str()[..2]));
        let listed = bucket_store.list_with_delimiter(None).await.unwrap();
        assert_eq!(listed.common_prefixes, [Path::from("uploads")]);
        let listed = bucket_store
            .list_with_delimiter(Some(&Path::from("uploads")))
            .await
            .unwrap();
        assert_eq!(listed.common_prefixes, std::slice::from_ref(&dir));
        let listed = bucket_store.list_with_delimiter(Some(&dir)).await.unwrap();
        let keys: Vec<&Path> = listed.objects.iter().map(|meta| &meta.location).collect();
        assert_eq!(keys, [&key]);

        // Bytes changed in the bucket are refused on both nodes, never served.
        bucket_store
            .put(&key, PutPayload::from_static(b"not the uploaded file"))
            .await
            .unwrap();
        for node in [&a, &b] {
            let response = client
                .get(url(node, &content))
                .bearer_auth(&world.operations.token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 500);
            let body = response.text().await.unwrap();
            assert!(!body.contains("not the uploaded file"), "{body}");
        }
    });
    assert_eq!(a.terminate(), 0);
    assert_eq!(b.terminate(), 0);
    runtime.block_on(test_db.finish());
}
