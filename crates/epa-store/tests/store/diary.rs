//! The assessor's diary as the booking rule reads it: only the bookings
//! that still stand and share a minute with the new slot, on both
//! databases alike (each computes a booking's end from its minutes).

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use epa_domain::booking::BookingStatus;
use epa_domain::{MethodId, Mode};
use epa_store::planning::{self, NewBooking};
use epa_store::{Db, users};
use uuid::Uuid;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

/// Books `assessor` on `on` from `start` for `minutes`.
async fn booking(
    tx: &mut epa_store::Tx,
    epa_id: Uuid,
    assessor: Uuid,
    on: NaiveDate,
    start: NaiveTime,
    minutes: i32,
) -> planning::Booking {
    planning::insert_booking(
        tx,
        &NewBooking {
            epa_id,
            method: MethodId::Observation,
            assessment_on: on,
            starts_at: start,
            duration_minutes: minutes,
            mode: Mode::InPerson,
            assessor_id: assessor,
            replaces_id: None,
            booked_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            created_by: assessor,
        },
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    )
    .await
    .unwrap()
}

/// The IDs of the assessor's bookings on [`day`] that `[from, to)` overlaps.
async fn overlapping(
    tx: &mut epa_store::Tx,
    assessor: Uuid,
    from: NaiveTime,
    to: NaiveTime,
) -> Vec<Uuid> {
    planning::assessor_overlapping_in(tx, assessor, day(), from, to)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect()
}

crate::conformance!(
    the_diary_reads_only_the_bookings_a_slot_overlaps,
    |db: Db| async move {
        let (epa_id, assessor) = crate::enums::epa(&db).await;
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let other = users::insert(&mut tx, "other@example.test", "Other", None, now)
            .await
            .unwrap();
        // 09:00-10:00 and 11:00-12:30 stand; 10:00-11:00 was cancelled;
        // 12:30-13:00 was sat (held, so it still stands).
        let nine = booking(&mut tx, epa_id, assessor, day(), at(9, 0), 60).await;
        let eleven = booking(&mut tx, epa_id, assessor, day(), at(11, 0), 90).await;
        let ten = booking(&mut tx, epa_id, assessor, day(), at(10, 0), 60).await;
        planning::set_status(
            &mut tx,
            ten.id,
            ten.version,
            BookingStatus::Cancelled,
            "the apprentice is ill",
            assessor,
            now,
        )
        .await
        .unwrap();
        let half_twelve = booking(&mut tx, epa_id, assessor, day(), at(12, 30), 30).await;
        planning::set_status(
            &mut tx,
            half_twelve.id,
            half_twelve.version,
            BookingStatus::Held,
            "sat",
            assessor,
            now,
        )
        .await
        .unwrap();
        // Another assessor at 10:00, and this one the next day at 10:00.
        booking(&mut tx, epa_id, other.id, day(), at(10, 0), 60).await;
        let tomorrow = day().succ_opt().unwrap();
        booking(&mut tx, epa_id, assessor, tomorrow, at(10, 0), 60).await;

        // Touching both neighbours, end to start: no clash (the cancelled
        // booking, the other assessor's and the next day's do not count).
        assert_eq!(
            overlapping(&mut tx, assessor, at(10, 0), at(11, 0)).await,
            Vec::<Uuid>::new()
        );
        // A minute either side reaches into a neighbour.
        assert_eq!(
            overlapping(&mut tx, assessor, at(9, 59), at(11, 0)).await,
            vec![nine.id]
        );
        assert_eq!(
            overlapping(&mut tx, assessor, at(10, 0), at(11, 1)).await,
            vec![eleven.id]
        );
        // Inside one booking; and one slot spanning the day, soonest first.
        assert_eq!(
            overlapping(&mut tx, assessor, at(11, 30), at(11, 45)).await,
            vec![eleven.id]
        );
        assert_eq!(
            overlapping(&mut tx, assessor, at(8, 0), at(17, 0)).await,
            vec![nine.id, eleven.id, half_twelve.id]
        );
        // A held booking still stands; after the day's last, nothing.
        assert_eq!(
            overlapping(&mut tx, assessor, at(12, 0), at(12, 45)).await,
            vec![eleven.id, half_twelve.id]
        );
        assert_eq!(
            overlapping(&mut tx, assessor, at(13, 0), at(14, 0)).await,
            Vec::<Uuid>::new()
        );
        // A booking ending at midnight's edge: 23:00 for 59 minutes.
        let late = booking(&mut tx, epa_id, assessor, day(), at(23, 0), 59).await;
        assert_eq!(
            overlapping(&mut tx, assessor, at(23, 30), at(23, 45)).await,
            vec![late.id]
        );
        assert_eq!(
            overlapping(&mut tx, assessor, at(22, 0), at(23, 0)).await,
            Vec::<Uuid>::new()
        );
    }
);
