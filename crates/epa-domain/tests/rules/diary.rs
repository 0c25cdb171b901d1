//! An assessor's diary: clashes refuse, weekends, bank holidays and starts
//! outside working hours warn.

use chrono::NaiveTime;
use epa_domain::calendar::HolidayCalendar;
use epa_domain::diary::{DiaryRule, Slot, WorkingHours, clashes, diary_warnings};

use crate::d;

fn slot(date: &str, start: &str, end: &str) -> Slot {
    let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
    Slot {
        date: d(date),
        start: t(start),
        end: t(end),
    }
}

#[test]
fn an_overlapping_booking_of_the_same_assessor_is_named() {
    let others = vec![
        ("b1", slot("2026-11-16", "09:00", "10:10")),
        ("b2", slot("2026-11-16", "13:00", "14:00")),
        ("b3", slot("2026-11-17", "09:00", "10:00")),
    ];
    let found = clashes(&slot("2026-11-16", "10:00", "11:00"), &others);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].booking, "b1");
    assert_eq!(
        found[0].message,
        "the assessor is already booked on 2026-11-16 from 09:00 to 10:10"
    );
    // Touching ends do not clash; another day does not either.
    assert!(clashes(&slot("2026-11-16", "10:10", "11:10"), &others).is_empty());
    assert!(clashes(&slot("2026-11-16", "12:00", "13:00"), &others).is_empty());
    // One covering two bookings names both, earliest first.
    let both = clashes(&slot("2026-11-16", "08:00", "18:00"), &others);
    let ids: Vec<_> = both.iter().map(|c| c.booking).collect();
    assert_eq!(ids, ["b1", "b2"]);
    // Inside another booking.
    assert_eq!(
        clashes(&slot("2026-11-16", "13:15", "13:45"), &others).len(),
        1
    );
}

#[test]
fn weekends_bank_holidays_and_early_starts_warn() {
    let cal = HolidayCalendar::england_and_wales();
    let hours = WorkingHours::default();
    let rules = |s: Slot| -> Vec<DiaryRule> {
        diary_warnings(&s, hours, &cal)
            .unwrap()
            .into_iter()
            .map(|w| w.rule)
            .collect()
    };
    assert!(rules(slot("2026-11-16", "09:00", "10:00")).is_empty());
    assert_eq!(
        rules(slot("2026-11-14", "09:00", "10:00")),
        [DiaryRule::Weekend]
    );
    let christmas = diary_warnings(&slot("2026-12-25", "09:00", "10:00"), hours, &cal).unwrap();
    assert_eq!(christmas.len(), 1);
    assert_eq!(christmas[0].rule, DiaryRule::BankHoliday);
    assert!(christmas[0].message.contains("Christmas"), "{christmas:?}");
    // Boxing Day 2026 is a Saturday: the bank holiday is the substitute
    // Monday 28th, and the Saturday warns as a weekend.
    assert_eq!(
        rules(slot("2026-12-26", "09:00", "10:00")),
        [DiaryRule::Weekend]
    );
    assert_eq!(
        rules(slot("2026-12-28", "09:00", "10:00")),
        [DiaryRule::BankHoliday]
    );
    // Working hours 08:00-18:00: 08:00 and 17:59 are in, 07:59 and 18:00 out.
    assert!(rules(slot("2026-11-16", "08:00", "09:00")).is_empty());
    assert!(rules(slot("2026-11-16", "17:59", "18:59")).is_empty());
    assert_eq!(
        rules(slot("2026-11-16", "07:59", "09:00")),
        [DiaryRule::OutsideWorkingHours]
    );
    assert_eq!(
        rules(slot("2026-11-16", "18:00", "19:00")),
        [DiaryRule::OutsideWorkingHours]
    );
    // The hours are a setting.
    let late = WorkingHours {
        from: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        to: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
    };
    assert_eq!(
        diary_warnings(&slot("2026-11-16", "09:00", "10:00"), late, &cal)
            .unwrap()
            .len(),
        1
    );
    assert!(
        diary_warnings(&slot("2026-11-16", "19:00", "20:00"), late, &cal)
            .unwrap()
            .is_empty()
    );
}
