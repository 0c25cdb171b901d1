//! Use cases, end to end against a real database.

mod commits;
mod current_bookings;
mod demo;
mod dfe;
mod epa_dates;
mod gate_reads;
mod housekeeping;
mod idempotency;
mod judging_keeps_deadlines;
mod kept_on_registration;
mod sessions;
mod sittings;

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
    person(db, "operations@demo.test").await
}

/// A person of the demo, by email, as the use cases take a signed-in person.
async fn person(db: &epa_store::Db, email: &str) -> epa_app::Actor {
    let user = epa_store::users::find_by_email(db, email)
        .await
        .unwrap()
        .unwrap();
    epa_app::Actor {
        user_id: user.id,
        memberships: epa_store::users::memberships(db, user.id).await.unwrap(),
        request_id: None,
    }
}

/// The kept deadlines of the EPA are those worked out for it now.
async fn kept_as_worked_out(app: &epa_app::App, staff: &epa_app::Actor, epa_id: uuid::Uuid) {
    let db = &app.db;
    let worked_out = epa_app::deadlines::for_epa(app, staff, epa_id)
        .await
        .unwrap();
    let names: Vec<&str> = worked_out.deadlines.iter().map(|d| d.id.as_str()).collect();
    let mut expected: Vec<(String, chrono::NaiveDate)> = worked_out
        .deadlines
        .iter()
        .map(|d| (d.id.as_str().to_owned(), d.date))
        .collect();
    expected.sort();
    let mut kept = epa_store::deadlines::due_dates(db, epa_id, &names)
        .await
        .unwrap();
    kept.sort();
    assert_eq!(kept, expected, "the kept deadlines of {epa_id}");
}
