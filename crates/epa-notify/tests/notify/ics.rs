//! Invites read back with a parser: the times land right either side of
//! the clocks going forward, and the identity and method are as sent.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use epa_notify::ics::{self, Booking, Method, Parties, Person};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventLike};

fn booking(on: NaiveDate, hour: u32, sequence: u32, cancelled: bool) -> Booking {
    let starts = ics::london(on, NaiveTime::from_hms_opt(hour, 0, 0).unwrap());
    Booking {
        uid: "booking-1@openepa".to_owned(),
        sequence,
        summary: "EPA observation: Amira".to_owned(),
        description: "Bring photo ID; it lasts 90 minutes.".to_owned(),
        location: "In person, at the apprentice's workplace".to_owned(),
        starts,
        ends: starts + chrono::Duration::minutes(90),
        url: "https://epa.example/epas/1".to_owned(),
        stamp: Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
        cancelled,
    }
}

fn parties() -> Parties {
    Parties {
        organizer: Person {
            name: "OpenEPA".to_owned(),
            email: "epa@epao.example".to_owned(),
        },
        attendees: vec![Person {
            name: "Sam Assessor".to_owned(),
            email: "sam@epao.example".to_owned(),
        }],
    }
}

fn utc(at: Option<DatePerhapsTime>) -> chrono::DateTime<Utc> {
    match at {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(at))) => at,
        other => panic!("not a UTC time: {other:?}"),
    }
}

#[test]
fn times_read_back_in_london_across_the_clocks_going_forward() {
    // The clocks go forward at 01:00 on Sunday 28 March 2027.
    for (on, expected_utc_hour) in [
        (NaiveDate::from_ymd_opt(2027, 3, 26).unwrap(), 10), // GMT
        (NaiveDate::from_ymd_opt(2027, 3, 29).unwrap(), 9),  // BST
        (NaiveDate::from_ymd_opt(2027, 11, 1).unwrap(), 10), // GMT again
    ] {
        let text = ics::invite(&booking(on, 10, 0, false), &parties(), Method::Request);
        assert!(text.contains("\r\n"), "lines end in CRLF");
        let calendar = icalendar::Calendar::from_str(&text).expect("parses");
        assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
        assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
        let event = calendar.events().next().expect("one event");
        let starts = utc(event.get_start());
        let ends = utc(event.get_end());
        assert_eq!(
            starts,
            Utc.from_utc_datetime(&on.and_hms_opt(expected_utc_hour, 0, 0).unwrap())
        );
        let local = starts.with_timezone(&London);
        assert_eq!(local.date_naive(), on);
        assert_eq!(local.time(), NaiveTime::from_hms_opt(10, 0, 0).unwrap());
        assert_eq!((ends - starts).num_minutes(), 90);
        assert_eq!(event.get_uid(), Some("booking-1@openepa"));
        assert_eq!(event.get_sequence(), Some(0));
        assert_eq!(
            event.get_location(),
            Some("In person, at the apprentice's workplace")
        );
    }
}

#[test]
fn an_hour_the_clocks_skip_is_read_an_hour_later() {
    let on = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
    let at = ics::london(on, NaiveTime::from_hms_opt(1, 30, 0).unwrap());
    assert_eq!(at, Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).unwrap());
    assert_eq!(
        at.with_timezone(&London).time(),
        NaiveTime::from_hms_opt(2, 30, 0).unwrap()
    );
}

#[test]
fn a_cancellation_keeps_the_uid_and_raises_the_sequence() {
    let on = NaiveDate::from_ymd_opt(2027, 3, 29).unwrap();
    let text = ics::invite(&booking(on, 10, 2, true), &parties(), Method::Cancel);
    let calendar = icalendar::Calendar::from_str(&text).expect("parses");
    assert_eq!(calendar.property_value("METHOD"), Some("CANCEL"));
    assert_eq!(ics::method_of(&text), Some(Method::Cancel));
    let event = calendar.events().next().unwrap();
    assert_eq!(event.get_uid(), Some("booking-1@openepa"));
    assert_eq!(event.get_sequence(), Some(2));
    assert_eq!(event.get_status(), Some(icalendar::EventStatus::Cancelled));
    assert!(text.contains("ORGANIZER;CN=OpenEPA:mailto:epa@epao.example"));
    assert!(text.contains("PARTSTAT=DECLINED"));
}

#[test]
fn a_feed_has_no_method_and_every_event() {
    let days = [29, 30, 31].map(|d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap());
    let events: Vec<Booking> = days
        .iter()
        .enumerate()
        .map(|(i, on)| Booking {
            uid: format!("booking-{i}@openepa"),
            ..booking(*on, 14, 0, false)
        })
        .collect();
    let text = ics::feed("OpenEPA assessments", &events);
    let calendar = icalendar::Calendar::from_str(&text).expect("parses");
    assert_eq!(calendar.property_value("METHOD"), None);
    assert_eq!(calendar.events().count(), 3);
    for (event, on) in calendar.events().zip(days) {
        assert_eq!(
            utc(event.get_start()).with_timezone(&London).time(),
            NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            "{on}"
        );
    }
}
