//! Use cases, end to end against a real database.

mod commits;
mod demo;
mod dfe;
mod epa_dates;
mod gate_reads;
mod idempotency;
mod kept_on_registration;
mod sessions;

/// The demo loaded on `backend`, the clock at 09:00 on 4 November 2026;
/// `None`, the test skipped, where PostgreSQL is not given.
async fn demo_loaded(backend: epa_store::Backend) -> Option<(epa_testkit::TestDb, epa_app::App)> {
    let Some(test_db) = epa_testkit::TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return None;
    };
    let clock: std::sync::Arc<dyn epa_domain::Clock + Send + Sync> = std::sync::Arc::new(
        epa_domain::FixedClock("2026-11-04T09:00:00Z".parse().expect("a time")),
    );
    let mut app = epa_app::App::new(test_db.db.clone(), clock, epa_plan::Catalog::embedded());
    app.demo = true;
    epa_app::demo::load(&app).await.expect("the demo loads");
    Some((test_db, app))
}

/// The demo's operations officer, as the use cases take a signed-in person.
async fn operations(db: &epa_store::Db) -> epa_app::Actor {
    let user = epa_store::users::find_by_email(db, "operations@demo.test")
        .await
        .unwrap()
        .unwrap();
    epa_app::Actor {
        user_id: user.id,
        memberships: epa_store::users::memberships(db, user.id).await.unwrap(),
        request_id: None,
    }
}
