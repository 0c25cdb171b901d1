//! Calendar invites and feeds (RFC 5545), with the `icalendar` crate.
//!
//! Times are written in UTC (`DTSTART:20270329T090000Z`): every client
//! shows them in its user's zone, and no `VTIMEZONE` has to be kept in
//! step with the rules of Europe/London. A booking's local date and time
//! are read as Europe/London, across the clocks changing, by [`london`].
//! An invite has a `UID` stable for the booking across reschedules and a
//! `SEQUENCE` raised on each change; a cancellation is `METHOD:CANCEL`
//! with the same `UID` and a higher `SEQUENCE` (see docs/notifications.md
//! for what each calendar client needs).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

/// The product's identifier in every calendar object.
pub const PRODID: &str = "-//OpenEPA//Bookings//EN";

/// The instant a local Europe/London date and time is. In the hour the
/// clocks skip (late March, 01:00 to 02:00) the time is read as the same
/// wall-clock time an hour later; in the hour repeated (late October) as
/// the first of the two.
pub fn london(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match London.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => London
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()
            .map_or_else(
                || Utc.from_utc_datetime(&local),
                |at| at.with_timezone(&Utc),
            ),
    }
}

/// What an invite asks of its calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add or update the event.
    Request,
    /// Remove it.
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// One person in an invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// One booked assessment as a calendar event.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    /// Stable for the booking across reschedules.
    pub uid: String,
    /// Raised on each change.
    pub sequence: u32,
    pub summary: String,
    pub description: String,
    /// The place, or the video link for a remote assessment.
    pub location: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    /// The link to the EPA's page.
    pub url: String,
    /// When the booking last changed (`DTSTAMP`).
    pub stamp: DateTime<Utc>,
    pub cancelled: bool,
}

/// The organiser and the people invited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    pub organizer: Person,
    pub attendees: Vec<Person>,
}

fn calendar(method: Option<Method>) -> Calendar {
    let mut calendar = Calendar::empty();
    calendar.append_property(Property::new("VERSION", "2.0"));
    calendar.append_property(Property::new("PRODID", PRODID));
    calendar.append_property(Property::new("CALSCALE", "GREGORIAN"));
    if let Some(method) = method {
        calendar.append_property(Property::new("METHOD", method.as_str()));
    }
    calendar
}

fn mailto(person: &Person) -> String {
    format!("mailto:{}", person.email)
}

fn event(booking: &Booking, parties: Option<&Parties>) -> Event {
    let mut event = Event::new();
    event
        .uid(&booking.uid)
        .sequence(booking.sequence)
        .timestamp(booking.stamp)
        .starts(booking.starts)
        .ends(booking.ends)
        .summary(&booking.summary)
        .description(&booking.description)
        .location(&booking.location)
        .url(&booking.url)
        .status(if booking.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    event.add_property("TRANSP", "OPAQUE");
    if let Some(parties) = parties {
        let mut organizer = Property::new("ORGANIZER", mailto(&parties.organizer));
        organizer.add_parameter("CN", &parties.organizer.name);
        event.append_property(organizer);
        for person in &parties.attendees {
            let mut attendee = Property::new("ATTENDEE", mailto(person));
            attendee.add_parameter("CN", &person.name);
            attendee.add_parameter("ROLE", "REQ-PARTICIPANT");
            attendee.add_parameter(
                "PARTSTAT",
                if booking.cancelled {
                    "DECLINED"
                } else {
                    "NEEDS-ACTION"
                },
            );
            attendee.add_parameter("RSVP", "FALSE");
            event.append_multi_property(attendee);
        }
    }
    event.done()
}

/// An invite (`METHOD:REQUEST`) or its cancellation (`METHOD:CANCEL`) for
/// one booking, as the text of a `text/calendar` part.
pub fn invite(booking: &Booking, parties: &Parties, method: Method) -> String {
    let mut calendar = calendar(Some(method));
    calendar.push(event(booking, Some(parties)));
    calendar.done().to_string()
}

/// A person's feed: every booking they may see, as one calendar a client
/// subscribes to (no `METHOD`: it is published, not sent).
pub fn feed(name: &str, bookings: &[Booking]) -> String {
    let mut calendar = calendar(None);
    calendar.append_property(Property::new("X-WR-CALNAME", name));
    calendar.append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    let mut refresh = Property::new("REFRESH-INTERVAL", "PT1H");
    refresh.add_parameter("VALUE", "DURATION");
    calendar.append_property(refresh);
    for booking in bookings {
        calendar.push(event(booking, None));
    }
    calendar.done().to_string()
}

/// The method an invite's text declares, for the `method` parameter its
/// MIME part must carry.
pub fn method_of(text: &str) -> Option<Method> {
    text.lines().find_map(|line| match line.trim_end() {
        "METHOD:REQUEST" => Some(Method::Request),
        "METHOD:CANCEL" => Some(Method::Cancel),
        _ => None,
    })
}
