//! A booking as a calendar event: the invite its assessor and apprentice
//! are sent, and the entry in the private calendar feeds. The event's `UID`
//! is the first booking of its chain (a reschedule writes a new booking
//! that replaces the old), so a calendar updates the event it already has;
//! its `SEQUENCE` is how many times it moved, one more once cancelled.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use epa_domain::MethodId;
use epa_domain::booking;
use epa_notify::ics;
use uuid::Uuid;

/// The facts of one booking an event is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingEvent<'a> {
    /// The first booking of the chain: the event's identity.
    pub root: Uuid,
    /// How many times the booking was moved.
    pub moves: u32,
    pub cancelled: bool,
    pub method: MethodId,
    pub given_names: &'a str,
    pub family_name: &'a str,
    pub on: NaiveDate,
    pub starts_at: NaiveTime,
    pub duration_minutes: i32,
    pub remote: bool,
    pub epa_id: Uuid,
    /// When it last changed.
    pub stamp: DateTime<Utc>,
}

/// The event's `UID`: stable for the booking across reschedules.
pub fn uid(root: Uuid) -> String {
    format!("booking-{root}@openepa")
}

/// What the apprentice brings and must know, by method.
fn what_to_bring(method: MethodId) -> &'static str {
    match method {
        MethodId::Observation => {
            "Bring photo ID. The assessor watches you at work with customers as usual; have \
             what you normally use to hand. The assessor may ask questions at the end."
        }
        MethodId::Project => {
            "Bring photo ID and a copy of your project report; you may refer to it during the \
             interview."
        }
        MethodId::Discussion => {
            "Bring photo ID and your portfolio of evidence; you may refer to it during the \
             discussion."
        }
    }
}

impl BookingEvent<'_> {
    /// The event, with links under `base`.
    pub fn event(&self, base: &str) -> ics::Booking {
        let method = booking::method_word(self.method);
        let starts = ics::london(self.on, self.starts_at);
        let url = format!("{base}/epas/{}", self.epa_id);
        let location = if self.remote {
            format!("Video call: the link is on the EPA's page, {url}")
        } else {
            "In person, at the apprentice's workplace".to_owned()
        };
        let mut summary = format!("EPA {method}: {}", self.given_names);
        if self.cancelled {
            summary = format!("Cancelled: {summary}");
        }
        ics::Booking {
            uid: uid(self.root),
            sequence: self.moves + u32::from(self.cancelled),
            summary,
            description: format!(
                "End-point assessment {method} for {} {}. It lasts {} minutes, {}, starting {} \
                 UK time.\n{}\nIf you cannot attend, tell the EPAO straight away.\n{url}",
                self.given_names,
                self.family_name,
                self.duration_minutes,
                if self.remote {
                    "by video call"
                } else {
                    "in person"
                },
                self.starts_at.format("%H:%M"),
                what_to_bring(self.method),
            ),
            location,
            starts,
            ends: starts + Duration::minutes(i64::from(self.duration_minutes)),
            url,
            stamp: self.stamp,
            cancelled: self.cancelled,
        }
    }
}

/// `Name <address>` read as a person; a bare address is its own name.
pub fn person(text: &str) -> ics::Person {
    match text.split_once('<') {
        Some((name, rest)) => ics::Person {
            name: name.trim().trim_matches('"').to_owned(),
            email: rest.trim_end_matches('>').trim().to_owned(),
        },
        None => ics::Person {
            name: text.trim().to_owned(),
            email: text.trim().to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(on: NaiveDate, cancelled: bool) -> String {
        let booking = BookingEvent {
            root: Uuid::from_u128(7),
            moves: 1,
            cancelled,
            method: MethodId::Observation,
            given_names: "Amira",
            family_name: "Khan",
            on,
            starts_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            duration_minutes: 90,
            remote: false,
            epa_id: Uuid::from_u128(1),
            stamp: Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
        }
        .event("https://epa.example");
        ics::invite(
            &booking,
            &ics::Parties {
                organizer: person("OpenEPA <notifications@epa.example>"),
                attendees: vec![
                    person("Sam Assessor <sam@epao.example>"),
                    person("Amira Khan <amira@acme.example>"),
                ],
            },
            if cancelled {
                ics::Method::Cancel
            } else {
                ics::Method::Request
            },
        )
    }

    #[test]
    fn invites_are_stable() {
        let on = NaiveDate::from_ymd_opt(2027, 3, 29).unwrap();
        insta::assert_snapshot!("invite_request", event(on, false));
        insta::assert_snapshot!("invite_cancel", event(on, true));
    }
}
