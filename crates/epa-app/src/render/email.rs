//! The text of every email the product sends. A use case builds one
//! [`Message`] with the facts it needs; [`Message::render`] words it as a
//! subject and its [`Content`]: what happened, what the reader does next
//! and a link to the page, laid out by the templates in
//! `templates/email/` as plain text and as HTML. The outbox stores the
//! result in the use case's transaction. A subject names nobody beyond
//! their first name: subjects show in lock screens and notifications.

use askama::Template;
use chrono::{NaiveDate, NaiveTime};
use epa_store::outbox::NewMessage;
use uuid::Uuid;

/// One email, worded: what the outbox keeps and delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The outbox kind, for filtering, preferences and tests.
    pub kind: &'static str,
    pub subject: String,
    /// Plain text.
    pub body: String,
    pub html: String,
    /// An invite or its cancellation (RFC 5545), when the email carries one.
    pub calendar: Option<String>,
}

impl Email {
    /// The outbox row that sends this email to `recipient`.
    pub fn to<'a>(&'a self, recipient: &'a str) -> NewMessage<'a> {
        NewMessage {
            kind: self.kind,
            recipient,
            subject: &self.subject,
            body: &self.body,
            html: Some(&self.html),
            calendar: self.calendar.as_deref(),
        }
    }

    /// The outbox rows that send this email to each of `recipients`, to
    /// be queued in one statement (`outbox::enqueue_all`).
    pub fn to_each<'a>(&'a self, recipients: &'a [String]) -> Vec<NewMessage<'a>> {
        recipients
            .iter()
            .map(|recipient| self.to(recipient))
            .collect()
    }
}

/// What an email says, before it is laid out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Content {
    /// Paragraphs, each a line of plain text.
    pub paragraphs: Vec<String>,
    /// A list after the paragraphs (things to fix, grades).
    pub items: Vec<String>,
    /// What the reader must do next.
    pub next: String,
    /// The page to open, with the words on its link.
    pub link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "email/message.txt", escape = "none")]
struct PlainText<'a> {
    content: &'a Content,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct Html<'a> {
    subject: &'a str,
    content: &'a Content,
}

impl Content {
    /// Lays the content out as an email of `kind` with `subject`.
    pub fn email(self, kind: &'static str, subject: String) -> Email {
        // Rendering a template over plain strings cannot fail; should it
        // ever, the email still says everything in its plain text.
        let body = PlainText { content: &self }
            .render()
            .unwrap_or_else(|_| self.paragraphs.join("\n\n"));
        let html = Html {
            subject: &subject,
            content: &self,
        }
        .render()
        .unwrap_or_default();
        Email {
            kind,
            subject,
            body,
            html,
            calendar: None,
        }
    }
}

/// The link to an EPA's page.
fn epa_link(base: &str, epa_id: Uuid) -> Option<(String, String)> {
    Some((format!("{base}/epas/{epa_id}"), "Open the EPA".to_owned()))
}

fn lines(text: String) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What changed about a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingChange {
    Booked,
    Moved,
    Cancelled,
    /// Handed to another assessor: told to the one it is taken from.
    HandedOver,
}

impl BookingChange {
    fn word(self) -> &'static str {
        match self {
            BookingChange::Booked => "booked",
            BookingChange::Moved => "moved",
            BookingChange::Cancelled => "cancelled",
            BookingChange::HandedOver => "handed to another assessor",
        }
    }
}

/// Who is told that an EPA's assessor changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReallocationAudience {
    /// The assessor now allocated, with the bookings that moved to them.
    NewAssessor {
        bookings_moved: usize,
    },
    PreviousAssessor,
    Provider,
}

/// Which side of the policy's word limit a project report falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordLimitSide {
    Over,
    Under,
}

/// Every email, with the facts it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Message<'a> {
    /// To EPAO operations: a gateway attempt is waiting for review.
    GatewaySubmitted {
        attempt: i32,
        apprentice: &'a str,
        epa_id: Uuid,
    },
    /// To the provider: the gateway is approved and the EPA period starts.
    GatewayApproved {
        attempt: i32,
        apprentice: &'a str,
        epa_id: Uuid,
        period_starts: NaiveDate,
    },
    /// To the provider: the gateway was not approved, with each thing to fix.
    GatewayRejected {
        attempt: i32,
        apprentice: &'a str,
        epa_id: Uuid,
        fixes: &'a [String],
    },
    /// To the provider: a version of the project proposal needs rework.
    ProposalRejected {
        version: i32,
        proposal: &'a str,
        apprentice: &'a str,
        epa_id: Uuid,
        feedback: &'a str,
        rework_due_on: Option<NaiveDate>,
    },
    /// To everyone in the EPA: the planning meeting was held.
    PlanningMeetingHeld {
        given_names: &'a str,
        family_name: &'a str,
        standard: &'a str,
        version: &'a str,
        epao: &'a str,
        held_on: NaiveDate,
        /// The plan's words on the EPA period, and the day it ends.
        period_end: Option<(&'a str, NaiveDate)>,
        /// The plan's words on notice of the observation.
        observation_notice: &'a str,
        epa_id: Uuid,
    },
    /// To the people who must turn up: a booking was made, moved or cancelled.
    Booking {
        change: BookingChange,
        /// The method as the plan names it ("observation").
        method: &'a str,
        given_names: &'a str,
        family_name: &'a str,
        on: NaiveDate,
        starts_at: NaiveTime,
        duration_minutes: i32,
        remote: bool,
        epa_id: Uuid,
    },
    /// To the provider and employer: the result is released.
    ResultsReleased {
        given_names: &'a str,
        family_name: &'a str,
        standard: &'a str,
        version: &'a str,
        overall: &'a str,
        observation: &'a str,
        project: &'a str,
        discussion: &'a str,
        explanation: &'a [String],
        epa_id: Uuid,
    },
    /// To the provider and employer: one method's result is released on its
    /// own, before the overall result.
    MethodResultReleased {
        given_names: &'a str,
        family_name: &'a str,
        standard: &'a str,
        version: &'a str,
        /// The method as the results name it ("Work-based project").
        method: &'a str,
        grade: &'a str,
        explanation: &'a str,
        /// Whether this was the last method, so the overall result follows.
        overall_follows: bool,
        epa_id: Uuid,
    },
    /// To the assessors and the provider: the EPA has another assessor.
    AssessorReallocated {
        /// The apprentice's first name.
        apprentice: &'a str,
        audience: ReallocationAudience,
        epa_id: Uuid,
    },
    /// To the allocated assessor: a project report is over or under the
    /// word limit.
    ReportOffWordLimit {
        side: WordLimitSide,
        given_names: &'a str,
        family_name: &'a str,
        epa_id: Uuid,
        summary: &'a str,
        document_id: Uuid,
    },
}

impl Message<'_> {
    /// The email, with links under `base` (the `public_url` setting).
    pub fn render(&self, base: &str) -> Email {
        match *self {
            Message::GatewaySubmitted {
                attempt,
                apprentice,
                epa_id,
            } => Content {
                paragraphs: vec![format!(
                    "The training provider has submitted gateway attempt {attempt} for \
                     {apprentice}'s EPA ({epa_id})."
                )],
                next: "Review each component, then approve or reject the gateway.".to_owned(),
                link: epa_link(base, epa_id),
                ..Content::default()
            }
            .email(
                "gateway_submitted",
                format!("Gateway attempt {attempt} submitted for review"),
            ),
            Message::GatewayApproved {
                attempt,
                apprentice,
                epa_id,
                period_starts,
            } => Content {
                paragraphs: vec![format!(
                    "Gateway attempt {attempt} for {apprentice}'s EPA ({epa_id}) is approved. \
                     The EPA period starts on {period_starts}."
                )],
                next: "Nothing yet: the EPAO will arrange the planning meeting with you and the \
                       employer next."
                    .to_owned(),
                link: epa_link(base, epa_id),
                ..Content::default()
            }
            .email(
                "gateway_approved",
                "Gateway approved: the EPA period has started".to_owned(),
            ),
            Message::GatewayRejected {
                attempt,
                apprentice,
                epa_id,
                fixes,
            } => Content {
                paragraphs: vec![format!(
                    "Gateway attempt {attempt} for {apprentice}'s EPA ({epa_id}) was not \
                     approved. What to fix:"
                )],
                items: fixes.to_vec(),
                next: "Submit the gateway again with the rejected parts corrected; the parts that \
                       were accepted are kept unless you send them again."
                    .to_owned(),
                link: epa_link(base, epa_id),
            }
            .email(
                "gateway_rejected",
                "Gateway not approved: what to fix".to_owned(),
            ),
            Message::ProposalRejected {
                version,
                proposal,
                apprentice,
                epa_id,
                feedback,
                rework_due_on,
            } => {
                let due = rework_due_on
                    .map(|d| format!(" by {d}"))
                    .unwrap_or_default();
                let mut paragraphs = vec![format!(
                    "Version {version} of the {proposal} for {apprentice}'s EPA ({epa_id}) \
                     was not accepted. Feedback:"
                )];
                paragraphs.extend(lines(feedback.to_owned()));
                Content {
                    paragraphs,
                    next: format!("Submit a reworked proposal{due}."),
                    link: epa_link(base, epa_id),
                    ..Content::default()
                }
                .email(
                    "proposal_rejected",
                    "Project proposal not accepted: rework needed".to_owned(),
                )
            }
            Message::PlanningMeetingHeld {
                given_names,
                family_name,
                standard,
                version,
                epao,
                held_on,
                period_end,
                observation_notice,
                epa_id,
            } => {
                let mut paragraphs = vec![format!(
                    "The assessment planning meeting for {given_names} {family_name} \
                     ({standard} v{version}, {epao}) was held on {held_on}. An assessor has been \
                     allocated."
                )];
                if let Some((period, end)) = period_end {
                    paragraphs.push(format!("{period} The EPA period ends on {end}."));
                }
                paragraphs.push(observation_notice.to_owned());
                paragraphs.push(format!("EPA reference: {epa_id}"));
                Content {
                    paragraphs,
                    next: "Look out for the bookings: each assessment is booked with you, with a \
                           calendar invite. Check the dates and tell the EPAO at once if one does \
                           not suit."
                        .to_owned(),
                    link: epa_link(base, epa_id),
                    ..Content::default()
                }
                .email(
                    "planning_meeting_held",
                    "EPA planning meeting held: assessor allocated".to_owned(),
                )
            }
            Message::Booking {
                change,
                method,
                given_names,
                family_name,
                on,
                starts_at,
                duration_minutes,
                remote,
                epa_id,
            } => {
                let what = change.word();
                let mode = if remote { "by video call" } else { "in person" };
                let (kind, next) = match change {
                    BookingChange::Booked => (
                        "booking_booked",
                        "Add it to your calendar (the invite attached does this) and come \
                         prepared. If you cannot attend, tell the EPAO straight away so it can be \
                         moved.",
                    ),
                    BookingChange::Moved => (
                        "booking_moved",
                        "Check the new time: the invite attached updates your calendar. If you \
                         cannot attend, tell the EPAO straight away so it can be moved.",
                    ),
                    BookingChange::Cancelled => (
                        "booking_cancelled",
                        "Do not attend. The EPAO will book a new date with you if one is needed.",
                    ),
                    BookingChange::HandedOver => (
                        "booking_handed_over",
                        "Nothing: it is no longer yours to attend, and the cancellation attached \
                         takes it off your calendar.",
                    ),
                };
                Content {
                    paragraphs: vec![
                        format!(
                            "The {method} for {given_names} {family_name} is {what}: {on} at {} \
                             (UK time), {duration_minutes} minutes, {mode}.",
                            starts_at.format("%H:%M"),
                        ),
                        format!("EPA reference: {epa_id}"),
                    ],
                    next: next.to_owned(),
                    // The EPA is no longer the previous assessor's to open.
                    link: if change == BookingChange::HandedOver {
                        None
                    } else {
                        epa_link(base, epa_id)
                    },
                    ..Content::default()
                }
                .email(kind, format!("EPA {method} {what}"))
            }
            Message::ResultsReleased {
                given_names,
                family_name,
                standard,
                version,
                overall,
                observation,
                project,
                discussion,
                explanation,
                epa_id,
            } => {
                let mut paragraphs = vec![format!(
                    "The end-point assessment result for {given_names} {family_name} ({standard} \
                     version {version}) has been released."
                )];
                paragraphs.extend(explanation.iter().cloned());
                Content {
                    paragraphs,
                    items: vec![
                        format!("Overall grade: {overall}"),
                        format!("Observation: {observation}"),
                        format!("Project: {project}"),
                        format!("Discussion: {discussion}"),
                    ],
                    next: "Sign in to OpenEPA to see the result in full. The EPAO claims the \
                           certificate; nothing else is needed from you."
                        .to_owned(),
                    link: epa_link(base, epa_id),
                }
                .email(
                    "results_released",
                    format!("{given_names}'s end-point assessment result is released"),
                )
            }
            Message::MethodResultReleased {
                given_names,
                family_name,
                standard,
                version,
                method,
                grade,
                explanation,
                overall_follows,
                epa_id,
            } => {
                let next = if overall_follows {
                    "Nothing yet. Every method's result is now released; the overall result \
                     follows in a separate message."
                } else {
                    "Nothing yet. The overall result follows once every method's result is \
                     released."
                };
                Content {
                    paragraphs: vec![
                        format!(
                            "The {} result for {given_names} {family_name} ({standard} version \
                             {version}) has been released.",
                            method.to_lowercase(),
                        ),
                        format!("{method}: {grade}"),
                        explanation.to_owned(),
                    ],
                    next: next.to_owned(),
                    link: epa_link(base, epa_id),
                    ..Content::default()
                }
                .email(
                    "method_result_released",
                    format!(
                        "{given_names}'s {} result is released",
                        method.to_lowercase()
                    ),
                )
            }
            Message::AssessorReallocated {
                apprentice,
                audience,
                epa_id,
            } => {
                let (paragraph, next) = match audience {
                    ReallocationAudience::NewAssessor { bookings_moved } => (
                        format!(
                            "You are now the assessor for {apprentice}'s end-point assessment. \
                             {bookings_moved} booking(s) still to come are now yours."
                        ),
                        "Open the EPA to see the bookings and prepare.",
                    ),
                    ReallocationAudience::PreviousAssessor => (
                        format!(
                            "{apprentice}'s end-point assessment has moved to another assessor. \
                             Its bookings still to come are no longer yours."
                        ),
                        "Nothing: there is nothing you need to do.",
                    ),
                    ReallocationAudience::Provider => (
                        format!(
                            "{apprentice}'s end-point assessment has a new assessor. Booked dates \
                             stay as they are."
                        ),
                        "Nothing: the new assessor will be in touch.",
                    ),
                };
                let link = match audience {
                    ReallocationAudience::PreviousAssessor => None,
                    _ => epa_link(base, epa_id),
                };
                Content {
                    paragraphs: vec![paragraph],
                    next: next.to_owned(),
                    link,
                    ..Content::default()
                }
                .email(
                    "assessor_reallocated",
                    format!("New assessor for {apprentice}'s EPA"),
                )
            }
            Message::ReportOffWordLimit {
                side,
                given_names,
                family_name,
                epa_id,
                summary,
                document_id,
            } => {
                let (kind, side) = match side {
                    WordLimitSide::Over => ("report_over_word_limit", "over"),
                    WordLimitSide::Under => ("report_under_word_limit", "under"),
                };
                Content {
                    paragraphs: vec![format!(
                        "The project report uploaded for {given_names} {family_name}'s EPA \
                         ({epa_id}) is {side} the policy's word limit: {summary}. Document \
                         {document_id}."
                    )],
                    next: "Read the report with the policy's word-limit rule in mind when you \
                           assess it."
                        .to_owned(),
                    link: epa_link(base, epa_id),
                    ..Content::default()
                }
                .email(kind, format!("A project report is {side} the word limit"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epa() -> Uuid {
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    /// Snapshots the plain text and the HTML, and checks the subject
    /// names nobody beyond their first name.
    fn snapshot(name: &str, message: Message<'_>) {
        let email = message.render("https://epa.example");
        assert!(
            !email.subject.contains("Khan"),
            "{name}: a subject names the apprentice in full: {}",
            email.subject
        );
        insta::assert_snapshot!(
            name,
            format!(
                "kind: {}\nsubject: {}\n\n{}",
                email.kind, email.subject, email.body
            )
        );
        insta::assert_snapshot!(format!("{name}_html"), email.html);
    }

    #[test]
    fn every_email_is_worded_from_its_facts() {
        let fixes = vec![
            "Photo ID: the photo is not clear".to_owned(),
            "Portfolio: K5 is not covered".to_owned(),
        ];
        let explanation = vec![
            "Observation: pass.".to_owned(),
            "Overall: pass, as no method is a distinction.".to_owned(),
        ];
        snapshot(
            "gateway_submitted",
            Message::GatewaySubmitted {
                attempt: 1,
                apprentice: "Amira Khan",
                epa_id: epa(),
            },
        );
        snapshot(
            "gateway_approved",
            Message::GatewayApproved {
                attempt: 2,
                apprentice: "Amira Khan",
                epa_id: epa(),
                period_starts: day(2),
            },
        );
        snapshot(
            "gateway_rejected",
            Message::GatewayRejected {
                attempt: 1,
                apprentice: "Amira Khan",
                epa_id: epa(),
                fixes: &fixes,
            },
        );
        for (name, due) in [
            ("proposal_rejected", Some(day(30))),
            ("proposal_rejected_no_deadline", None),
        ] {
            snapshot(
                name,
                Message::ProposalRejected {
                    version: 1,
                    proposal: "project proposal",
                    apprentice: "Amira Khan",
                    epa_id: epa(),
                    feedback: "Say which customers the project serves.",
                    rework_due_on: due,
                },
            );
        }
        for (name, period_end) in [
            (
                "planning_meeting_held",
                Some((
                    "The EPA period is three months.",
                    day(2) + chrono::Days::new(92),
                )),
            ),
            ("planning_meeting_held_no_period", None),
        ] {
            snapshot(
                name,
                Message::PlanningMeetingHeld {
                    given_names: "Amira",
                    family_name: "Khan",
                    standard: "ST0071",
                    version: "1.2",
                    epao: "TQUK",
                    held_on: day(2),
                    period_end,
                    observation_notice: "The observation is booked with two weeks' notice.",
                    epa_id: epa(),
                },
            );
        }
        for (name, change, remote) in [
            ("booking_booked", BookingChange::Booked, false),
            ("booking_moved", BookingChange::Moved, true),
            ("booking_cancelled", BookingChange::Cancelled, false),
            ("booking_handed_over", BookingChange::HandedOver, false),
        ] {
            snapshot(
                name,
                Message::Booking {
                    change,
                    method: "observation",
                    given_names: "Amira",
                    family_name: "Khan",
                    on: day(16),
                    starts_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                    duration_minutes: 60,
                    remote,
                    epa_id: epa(),
                },
            );
        }
        snapshot(
            "results_released",
            Message::ResultsReleased {
                given_names: "Amira",
                family_name: "Khan",
                standard: "ST0071",
                version: "1.2",
                overall: "pass",
                observation: "pass",
                project: "pass",
                discussion: "pass",
                explanation: &explanation,
                epa_id: epa(),
            },
        );
        for (name, audience) in [
            (
                "assessor_reallocated_new",
                ReallocationAudience::NewAssessor { bookings_moved: 2 },
            ),
            (
                "assessor_reallocated_previous",
                ReallocationAudience::PreviousAssessor,
            ),
            (
                "assessor_reallocated_provider",
                ReallocationAudience::Provider,
            ),
        ] {
            snapshot(
                name,
                Message::AssessorReallocated {
                    apprentice: "Amira",
                    audience,
                    epa_id: epa(),
                },
            );
        }
        for (name, side, summary) in [
            (
                "report_under_word_limit",
                WordLimitSide::Under,
                "3,100 words against a limit of 4,500 (10% below is 4,050)",
            ),
            (
                "report_over_word_limit",
                WordLimitSide::Over,
                "5,200 words against a limit of 4,500 (10% above is 4,950)",
            ),
        ] {
            snapshot(
                name,
                Message::ReportOffWordLimit {
                    side,
                    given_names: "Amira",
                    family_name: "Khan",
                    epa_id: epa(),
                    summary,
                    document_id: Uuid::from_u128(2),
                },
            );
        }
        for (name, method, overall_follows) in [
            ("method_result_released", "Observation", false),
            ("method_result_released_last", "Work-based project", true),
        ] {
            snapshot(
                name,
                Message::MethodResultReleased {
                    given_names: "Amira",
                    family_name: "Khan",
                    standard: "ST0071",
                    version: "1.2",
                    method,
                    grade: "pass",
                    explanation: "Every pass criterion is met.",
                    overall_follows,
                    epa_id: epa(),
                },
            );
        }
    }
}
