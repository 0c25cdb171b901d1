//! What a write transaction writes reads back as it was written, and
//! fails as it did, whichever thread ran its statements: on SQLite the
//! request's own (ADR 0176), on PostgreSQL sqlx's.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use epa_domain::booking::BookingStatus;
use epa_domain::{MethodId, Mode};
use epa_store::apprentices::{self, NewApprentice};
use epa_store::planning::{self, NewBooking};
use epa_store::{Db, StoreError, epas};

/// An instant with microseconds, as a request's clock gives them.
fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 11, 0, 0).unwrap() + chrono::Duration::microseconds(123_456)
}

crate::conformance!(
    a_uln_taken_is_a_conflict_and_writes_nothing,
    |db: Db| async move {
        let (epa_id, _) = crate::enums::epa(&db).await;
        let row = epas::get(&db, epa_id).await.unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let again = apprentices::insert(
            &mut tx,
            &NewApprentice {
                uln: &row.uln,
                given_names: "Another",
                family_name: "Person",
                date_of_birth: NaiveDate::from_ymd_opt(2001, 2, 3).unwrap(),
                employer_id: row.employer_id,
                provider_id: row.provider_id,
                user_id: None,
                start_date: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
            },
            at(),
        )
        .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        drop(tx);
        assert_eq!(apprentices::count(&db).await.unwrap(), 1);
    }
);

crate::conformance!(
    a_booking_reads_back_as_it_was_written,
    |db: Db| async move {
        let (epa_id, assessor) = crate::enums::epa(&db).await;
        let mut tx = db.begin_write().await.unwrap();
        let written = planning::insert_booking(
            &mut tx,
            &NewBooking {
                epa_id,
                method: MethodId::Observation,
                assessment_on: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
                starts_at: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
                duration_minutes: 90,
                mode: Mode::Remote,
                assessor_id: assessor,
                replaces_id: None,
                booked_on: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
                created_by: assessor,
            },
            at(),
        )
        .await
        .unwrap();
        // Read again in the transaction, as the rules read it.
        let live = planning::live_bookings_in(&mut tx, epa_id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(written.status, BookingStatus::Booked);
        assert_eq!(written.created_at, at());
        assert_eq!(
            written.starts_at,
            NaiveTime::from_hms_opt(9, 30, 0).unwrap()
        );
        assert_eq!(live, std::slice::from_ref(&written));
        // Read by sqlx outside any transaction.
        assert_eq!(planning::bookings(&db, epa_id).await.unwrap(), [written]);
    }
);
