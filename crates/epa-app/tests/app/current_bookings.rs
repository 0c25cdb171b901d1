//! The bookings of an EPA's current attempt, filtered in the statement
//! that reads them (`current_live_bookings_in`,
//! `current_standing_bookings_in`), are those of all its bookings made
//! since its latest attempt started: for every EPA of the demo, whose
//! resits, rework and retake leave bookings of earlier attempts.

use epa_domain::booking::BookingStatus;
use epa_store::assessment::{self, Reader};
use epa_store::epas::{self, Filter, Scope};
use epa_store::{Backend, planning};

async fn check(backend: Backend) {
    let Some((test_db, _app)) = crate::demo_loaded(backend).await else {
        return;
    };
    let db = test_db.db.clone();
    let all = epas::list(&db, &Scope::default(), &Filter::default(), 200, 0)
        .await
        .unwrap();
    let mut earlier = 0;
    for listed in &all {
        let id = listed.epa.id;
        let started = assessment::attempts(Reader::Db(&db), id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.started_at)
            .max();
        let every = planning::bookings(&db, id).await.unwrap();
        let current = |statuses: &[BookingStatus]| {
            let mut kept: Vec<_> = every
                .iter()
                .filter(|b| statuses.contains(&b.status))
                .filter(|b| started.is_none_or(|s| b.created_at >= s))
                .cloned()
                .collect();
            kept.sort_by_key(|b| (b.assessment_on, b.id));
            kept
        };
        earlier += every
            .iter()
            .filter(|b| started.is_some_and(|s| b.created_at < s))
            .count();

        let mut tx = db.begin_write().await.unwrap();
        let live = planning::current_live_bookings_in(&mut tx, id)
            .await
            .unwrap();
        let standing = planning::current_standing_bookings_in(&mut tx, id)
            .await
            .unwrap();
        drop(tx);
        assert_eq!(live, current(&[BookingStatus::Booked]), "{id}: live");
        assert_eq!(
            standing,
            current(&[BookingStatus::Booked, BookingStatus::Held]),
            "{id}: standing"
        );
    }
    assert!(
        earlier > 0,
        "a demo EPA with bookings of an earlier attempt"
    );
    test_db.finish().await;
}

#[tokio::test]
async fn the_current_attempts_bookings_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_current_attempts_bookings_on_postgres() {
    check(Backend::Postgres).await;
}
