//! `Idempotency-Key` on creating POSTs: two copies of one request sent at
//! once do the work once and both get the same answer; a replay gets the
//! first answer; the same key with another body is refused. Each test runs
//! on SQLite and, when `EPA_TEST_PG_URL` is set, on PostgreSQL.

use epa_store::apprentices;
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};

use crate::on_both;
use crate::planning::{planned, slot};
use crate::support::uln;

fn registration(world: &World, uln: &str) -> Value {
    json!({
        "uln": uln,
        "given_names": "Amira",
        "family_name": "Khan",
        "date_of_birth": "2003-04-17",
        "employer_id": world.employer,
        "provider_id": world.provider,
        "standard": "ST0071",
        "policy": "tquk",
        "start_date": "2025-06-02",
    })
}

async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> (u16, Option<String>, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotent-replay")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, replayed, response.json().await.unwrap())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    epa_testkit::scalar(&app.db, sql).await
}

on_both!(
    two_concurrent_registrations_with_one_key_register_once,
    async |app: &TestApp, world: &World| {
        let token = &world.provider_user.token;
        let body = registration(world, &uln(1));
        let (a, b) = tokio::join!(
            post(app, token, "/api/v1/epas", "twice-at-once", &body),
            post(app, token, "/api/v1/epas", "twice-at-once", &body),
        );
        assert_eq!(a.0, 201, "{}", a.2);
        assert_eq!(b.0, 201, "{}", b.2);
        assert_eq!(a.2, b.2, "both copies get the same answer");
        assert_eq!(
            [a.1.is_some(), b.1.is_some()]
                .iter()
                .filter(|r| **r)
                .count(),
            1,
            "exactly one answer is a replay"
        );
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 1);
        assert_eq!(count(app, "SELECT COUNT(*) FROM epas").await, 1);
        let audited = count(
            app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'epa.registered'",
        )
        .await;
        assert_eq!(audited, 1, "audited once, not twice");

        // A later replay gets the first answer; the key on another body is refused.
        let replay = post(app, token, "/api/v1/epas", "twice-at-once", &body).await;
        assert_eq!((replay.0, replay.1.as_deref()), (201, Some("true")));
        assert_eq!(replay.2, a.2);
        let other = post(
            app,
            token,
            "/api/v1/epas",
            "twice-at-once",
            &registration(world, &uln(2)),
        )
        .await;
        assert_eq!(other.0, 422, "{}", other.2);
        assert_eq!(other.2["errors"][0]["field"], "Idempotency-Key");
        assert_eq!(count(app, "SELECT COUNT(*) FROM epas").await, 1);
    }
);

on_both!(
    two_concurrent_bookings_with_one_key_book_once,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 1).await;
        let path = format!("/api/v1/epas/{epa}/bookings");
        let token = &world.operations.token;
        let body = slot("observation", "2026-11-16", "in_person");
        let before = count(app, "SELECT COUNT(*) FROM bookings").await;
        let (a, b) = tokio::join!(
            post(app, token, &path, "book-once", &body),
            post(app, token, &path, "book-once", &body),
        );
        assert_eq!(a.0, 201, "{}", a.2);
        assert_eq!(b.0, 201, "{}", b.2);
        assert_eq!(a.2, b.2, "both copies get the same answer");
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM bookings").await,
            before + 1
        );

        let replay = post(app, token, &path, "book-once", &body).await;
        assert_eq!((replay.0, replay.1.as_deref()), (201, Some("true")));
        assert_eq!(replay.2, a.2);
        let other = post(
            app,
            token,
            &path,
            "book-once",
            &slot("observation", "2026-11-17", "in_person"),
        )
        .await;
        assert_eq!(other.0, 422, "{}", other.2);
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM bookings").await,
            before + 1
        );

        // A failed request keeps nothing: the same key runs again once fixed.
        let bad = post(
            app,
            token,
            &path,
            "retry-me",
            &json!({"method": "nonsense"}),
        )
        .await;
        assert_eq!(bad.0, 422, "{}", bad.2);
        let bad_again = post(
            app,
            token,
            &path,
            "retry-me",
            &json!({"method": "nonsense"}),
        )
        .await;
        assert_eq!(bad_again.0, 422);
        assert!(bad_again.1.is_none(), "a refusal is not kept as the answer");
    }
);

on_both!(
    a_blank_or_overlong_key_is_refused,
    async |app: &TestApp, world: &World| {
        let token = &world.provider_user.token;
        let body = registration(world, &uln(1));
        for key in [" ", &"k".repeat(201)] {
            let (status, _, answer) = post(app, token, "/api/v1/epas", key, &body).await;
            assert_eq!(status, 422, "{answer}");
            assert_eq!(answer["errors"][0]["field"], "Idempotency-Key");
        }
        assert_eq!(count(app, "SELECT COUNT(*) FROM epas").await, 0);
    }
);

on_both!(
    two_concurrent_uploads_with_one_key_keep_one_document,
    async |app: &TestApp, world: &World| {
        let epa = crate::support::registered(app, world, "tquk", 1).await;
        let epa = epa["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/epas/{epa}/documents?purpose=evidence");
        let send = |name: &'static str, bytes: &'static str| {
            app.client
                .post(app.url(&path))
                .bearer_auth(&world.operations.token)
                .header("Idempotency-Key", "upload-once")
                .header("X-File-Name", name)
                .body(bytes)
                .send()
        };
        let (a, b) = tokio::join!(
            send("note.txt", "Observed on site."),
            send("note.txt", "Observed on site.")
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 201));
        // Both answers name the one document, the replay included.
        let location = a.headers()["location"].clone();
        assert_eq!(b.headers()["location"], location);
        let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
        assert_eq!(a, b);
        assert_eq!(
            location.to_str().unwrap(),
            format!("/api/v1/documents/{}", a["id"].as_str().unwrap())
        );
        assert_eq!(count(app, "SELECT COUNT(*) FROM documents").await, 1);

        // The same key with another file is another request: refused.
        let other = send("note.txt", "Something else.").await.unwrap();
        assert_eq!(other.status(), 422);
        let renamed = send("other.txt", "Observed on site.").await.unwrap();
        assert_eq!(renamed.status(), 422);
        assert_eq!(count(app, "SELECT COUNT(*) FROM documents").await, 1);
    }
);
