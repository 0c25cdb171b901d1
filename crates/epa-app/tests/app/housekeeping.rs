//! Housekeeping forgets web sessions past their end and idempotency keys
//! older than a day, a batch at a time, and nothing live (ADR 0167).

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

async fn sign_in(app: &App) -> String {
    web_sessions::sign_in(
        app,
        epa_app::accounts::SignIn {
            email: "admin@epao.example".to_owned(),
            password: "correct horse battery staple".to_owned(),
            code: None,
        },
        "10.0.0.1",
        None,
    )
    .await
    .unwrap()
    .session_id
}

async fn rows(app: &App, table: &str) -> i64 {
    epa_testkit::scalar(&app.db, &format!("SELECT COUNT(*) FROM {table}")).await
}

async fn sweeps(backend: Backend) {
    let Some((test_db, app, clock, admin)) = crate::sessions::with_person(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    // Three sessions and a key at nine in the morning.
    for _ in 0..3 {
        sign_in(&app).await;
    }
    assert!(!create_under_key(&app, &admin, "early").await);
    let first_session_ends = clock.now() + app.accounts.token_lifetime;

    // Once they have ended, the sessions go, a batch of one at a time, and
    // a session started since stays; the key is not a day old yet.
    clock.set(first_session_ends + Duration::minutes(1));
    let live = sign_in(&app).await;
    let swept = housekeeping::sweep_in_batches(&app.db, clock.now(), 1)
        .await
        .unwrap();
    assert_eq!(
        swept,
        Swept {
            sessions: 3,
            idempotency_keys: 0
        }
    );
    assert_eq!(rows(&app, "web_sessions").await, 1);
    assert!(
        web_sessions::current(&app, &live).await.unwrap().is_some(),
        "the live session still works"
    );
    assert_eq!(rows(&app, "idempotency_keys").await, 1);

    // A day after it was claimed the key goes; one claimed now stays.
    clock.set(first_session_ends - app.accounts.token_lifetime + Duration::hours(KEYS_KEPT_HOURS));
    assert!(!create_under_key(&app, &admin, "late").await);
    let swept = housekeeping::sweep(&app.db, clock.now() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        swept,
        Swept {
            sessions: 0,
            idempotency_keys: 1
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
