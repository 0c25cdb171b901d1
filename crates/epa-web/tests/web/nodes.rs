//! Two servers on one PostgreSQL database behave as one: a token and a web
//! session work on either; a web session ends on both at once, a token on
//! the other within a second (ADR 0160); an `Idempotency-Key`
//! replayed on the other server gets the first answer; two servers racing
//! on one key create one record. Each server has its own connection pool,
//! as two `epa serve` processes would. Runs only when `EPA_TEST_PG_URL`
//! names a server (nothing is shared between servers on SQLite).

use std::sync::Arc;

use epa_app::accounts::SignIn;
use epa_app::people::web_sessions;
use epa_store::{Backend, Db, apprentices, epas, users};
use epa_testkit::seed::{self, World};
use epa_testkit::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::uln;

const PASSWORD: &str = "two servers, one database";

/// Node A and node B over one fresh PostgreSQL database, each with its own
/// pool, and the seeded world.
async fn two_nodes() -> Option<(TestDb, TestApp, TestApp, World)> {
    let test_db = TestDb::new(Backend::Postgres).await?;
    let a = TestApp::spawn(test_db.db.clone()).await;
    let b_db = Db::open(&test_db.url).await.expect("a second pool");
    let b = TestApp::spawn(b_db).await;
    let world = seed::world(&a.db, a.clock.now()).await;
    Some((test_db, a, b, world))
}

/// The app behind a node, for the use cases the web pages call.
fn app_of(node: &TestApp) -> epa_app::App {
    epa_app::App::new(
        node.db.clone(),
        Arc::new(node.clock.clone()),
        epa_plan::Catalog::embedded(),
    )
}

fn registration(world: &World, n: u32) -> Value {
    json!({
        "uln": uln(n),
        "given_names": "Noor",
        "family_name": "Ahmed",
        "date_of_birth": "2003-04-17",
        "employer_id": world.employer,
        "provider_id": world.provider,
        "standard": "ST0071",
        "policy": "innovate",
        "start_date": "2025-06-02",
    })
}

async fn post_with_key(node: &TestApp, token: &str, key: &str, body: &Value) -> (u16, bool, Value) {
    let response = node
        .client
        .post(node.url("/api/v1/epas"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let replayed = response.headers().contains_key("idempotent-replay");
    (status, replayed, response.json().await.unwrap())
}

#[tokio::test]
async fn a_token_and_a_session_work_on_either_node_and_end_on_both() {
    let Some((test_db, a, b, world)) = two_nodes().await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    // A token made on node A works on node B, and the other way round.
    let made_on_a = world.operations.token.clone();
    for node in [&a, &b] {
        let response = node.get_as(&made_on_a, "/api/v1/tokens/current").await;
        assert_eq!(response.status(), 200);
    }
    let hash = epa_app::accounts::hash_password(PASSWORD.to_owned())
        .await
        .unwrap();
    let mut tx = a.db.begin_write().await.unwrap();
    users::set_password_hash(&mut tx, world.operations.user_id, &hash)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let signed_in = b
        .client
        .post(b.url("/api/v1/tokens"))
        .json(&json!({"email": world.operations.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 201);
    let made_on_b = signed_in.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = a.get_as(&made_on_b, "/api/v1/epas").await;
    assert_eq!(listed.status(), 200);

    // Revoked on B: refused on B at the very next request, and on A,
    // which took it a moment ago and remembers it, within a second
    // (ADR 0160).
    let revoked = b
        .client
        .delete(b.url("/api/v1/tokens/current"))
        .bearer_auth(&made_on_b)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let response = b.get_as(&made_on_b, "/api/v1/epas").await;
    assert_eq!(response.status(), 401);
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1500);
    loop {
        let status = a.get_as(&made_on_b, "/api/v1/epas").await.status();
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            std::time::Instant::now() < deadline,
            "still taken on A after a second and a half"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // A web session started on A is found, with its roles, on B; ended on
    // B, it is gone on A.
    let (app_a, app_b) = (app_of(&a), app_of(&b));
    let started = web_sessions::sign_in(
        &app_a,
        SignIn {
            email: world.operations.email.clone(),
            password: PASSWORD.to_owned(),
            code: None,
        },
        "10.0.0.1",
        None,
    )
    .await
    .unwrap();
    let on_b = web_sessions::current(&app_b, &started.session_id)
        .await
        .unwrap()
        .expect("the session is live on B");
    assert_eq!(on_b.user_id, world.operations.user_id);
    assert_eq!(
        on_b.memberships,
        users::memberships(&b.db, world.operations.user_id)
            .await
            .unwrap()
    );
    web_sessions::sign_out(&app_b, &started.session_id)
        .await
        .unwrap();
    assert_eq!(
        web_sessions::current(&app_a, &started.session_id)
            .await
            .unwrap(),
        None
    );
    b.db.close().await;
    test_db.finish().await;
}

#[tokio::test]
async fn an_idempotency_key_replayed_on_the_other_node_gets_the_first_answer() {
    let Some((test_db, a, b, world)) = two_nodes().await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let token = &world.operations.token;
    let body = registration(&world, 11);
    let first = post_with_key(&a, token, "register-11", &body).await;
    assert_eq!(first.0, 201, "{}", first.2);
    assert!(!first.1);
    let again = post_with_key(&b, token, "register-11", &body).await;
    assert_eq!(again.0, 201, "{}", again.2);
    assert!(again.1, "the answer on B is a replay");
    assert_eq!(again.2, first.2, "the first answer, word for word");
    // The same key with another body is refused on either node.
    let other = post_with_key(&b, token, "register-11", &registration(&world, 12)).await;
    assert_eq!(other.0, 422, "{}", other.2);
    assert_eq!(apprentices::count(&a.db).await.unwrap(), 1);
    b.db.close().await;
    test_db.finish().await;
}

#[tokio::test]
async fn two_nodes_racing_on_one_key_create_one_record() {
    let Some((test_db, a, b, world)) = two_nodes().await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let token = &world.operations.token;
    for round in 0..5u32 {
        let body = registration(&world, 20 + round);
        let key = format!("race-{round}");
        let (on_a, on_b) = tokio::join!(
            post_with_key(&a, token, &key, &body),
            post_with_key(&b, token, &key, &body),
        );
        assert_eq!(on_a.0, 201, "{}", on_a.2);
        assert_eq!(on_b.0, 201, "{}", on_b.2);
        assert_eq!(on_a.2, on_b.2, "both nodes answer alike");
        assert_eq!(
            u8::from(on_a.1) + u8::from(on_b.1),
            1,
            "exactly one answer is a replay"
        );
        let found = epas::for_uln(&b.db, &uln(20 + round)).await.unwrap();
        assert_eq!(found.len(), 1, "one EPA for the key");
    }
    assert_eq!(apprentices::count(&a.db).await.unwrap(), 5);
    b.db.close().await;
    test_db.finish().await;
}
