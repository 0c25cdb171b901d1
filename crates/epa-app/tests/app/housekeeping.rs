//! Housekeeping forgets web sessions past their end, API tokens past their
//! expiry and idempotency keys older than a day, a batch at a time, and
//! nothing live (ADR 0167).

use chrono::Duration;
use epa_app::housekeeping::{self, KEYS_KEPT_HOURS, Swept};
use epa_app::idempotency::{Idempotency, idempotent};
use epa_app::people::create_organisation::create_organisation;
use epa_app::people::web_sessions;
use epa_app::{Actor, App, AppError};
use epa_store::Backend;

use crate::idempotency::employer;

/// Creates an employer under `key`; whether the answer was the first one's.
async fn create_under_key(app: &App, admin: &Actor, key: &str) -> bool {
    let claim = Idempotency::new(admin, key, "/api/v1/organisations", key.as_bytes()).unwrap();
    idempotent::<_, AppError, _>(
        app,
        Some(claim),
        201,
        create_organisation(app, admin, employer(key)),
    )
    .await
    .unwrap()
    .replayed
}

fn admin_password() -> epa_app::accounts::SignIn {
    epa_app::accounts::SignIn {
        email: "admin@epao.example".to_owned(),
        password: "correct horse battery staple".to_owned(),
        code: None,
    }
}

/// A web session's id.
async fn sign_in(app: &App) -> String {
    web_sessions::sign_in(app, admin_password(), "10.0.0.1", None)
        .await
        .unwrap()
        .session_id
}

/// An API token.
async fn sign_in_for_a_token(app: &App) -> String {
    epa_app::accounts::sign_in(app, admin_password(), "10.0.0.1")
        .await
        .unwrap()
        .token
}

async fn rows(app: &App, table: &str) -> i64 {
    epa_testkit::scalar(&app.db, &format!("SELECT COUNT(*) FROM {table}")).await
}

async fn sweeps(backend: Backend) {
    let Some((test_db, app, clock, admin)) = crate::sessions::with_person(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    // Three sessions, a token (with the one the administrator was made
    // with) and a key at nine in the morning.
    let morning = clock.now();
    for _ in 0..3 {
        sign_in(&app).await;
    }
    sign_in_for_a_token(&app).await;
    assert!(!create_under_key(&app, &admin, "early").await);
    assert_eq!(rows(&app, "api_tokens").await, 2);

    // Once they have ended, the sessions and tokens go, a batch of one at a
    // time, and a session and a token started since stay; the key is not a
    // day old yet.
    clock.set(morning + app.accounts.token_lifetime + Duration::minutes(1));
    let live = sign_in(&app).await;
    let token = sign_in_for_a_token(&app).await;
    let swept = housekeeping::sweep_in_batches(&app.db, clock.now(), 1)
        .await
        .unwrap();
    assert_eq!(
        swept,
        Swept {
            sessions: 3,
            tokens: 2,
            idempotency_keys: 0
        }
    );
    assert_eq!(rows(&app, "web_sessions").await, 1);
    assert!(
        web_sessions::current(&app, &live).await.unwrap().is_some(),
        "the live session still works"
    );
    assert_eq!(rows(&app, "api_tokens").await, 1);
    assert!(
        epa_store::tokens::authenticate(&app.recent_tokens, &app.db, &token, clock.now())
            .await
            .unwrap()
            .is_some(),
        "the live token still works"
    );
    assert_eq!(rows(&app, "idempotency_keys").await, 1);

    // A day after it was claimed the key goes; one claimed now stays.
    clock.set(morning + Duration::hours(KEYS_KEPT_HOURS));
    assert!(!create_under_key(&app, &admin, "late").await);
    let swept = housekeeping::sweep(&app.db, clock.now() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        swept,
        Swept {
            idempotency_keys: 1,
            ..Swept::default()
        }
    );
    assert!(
        create_under_key(&app, &admin, "late").await,
        "a key kept still gives its first answer"
    );
    assert!(
        !create_under_key(&app, &admin, "early").await,
        "a key forgotten runs its work again"
    );

    // Nothing left to forget.
    assert_eq!(
        housekeeping::sweep(&app.db, clock.now()).await.unwrap(),
        Swept::default()
    );
    test_db.finish().await;
}

mod ended_sessions_and_day_old_keys_are_forgotten_and_nothing_live {
    #[tokio::test]
    async fn sqlite() {
        super::sweeps(epa_store::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::sweeps(epa_store::Backend::Postgres).await;
    }
}
