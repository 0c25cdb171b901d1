//! The text of every email the product sends. A use case builds one
//! [`Message`] with the facts it needs; [`Message::render`] words it as a
//! subject and a plain-text body saying what happened and what the reader
//! does next. The outbox stores the result in the use case's transaction.

use chrono::{NaiveDate, NaiveTime};
use uuid::Uuid;

/// One email, worded: what the outbox keeps and delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The outbox kind, for filtering and tests.
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

/// What changed about a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingChange {
    Booked,
    Moved,
    Cancelled,
}

impl BookingChange {
    fn word(self) -> &'static str {
        match self {
            BookingChange::Booked => "booked",
            BookingChange::Moved => "moved",
            BookingChange::Cancelled => "cancelled",
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
    },
    /// To the assessors and the provider: the EPA has another assessor.
    AssessorReallocated {
        apprentice: &'a str,
        audience: ReallocationAudience,
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
    pub fn render(&self) -> Email {
        match *self {
            Message::GatewaySubmitted {
                attempt,
                apprentice,
                epa_id,
            } => Email {
                kind: "gateway_submitted",
                subject: format!("Gateway attempt {attempt} submitted for review"),
                body: format!(
                    "The training provider has submitted gateway attempt {attempt} for \
                     {apprentice}'s EPA ({epa_id}). Review each component, then approve or \
                     reject the gateway."
                ),
            },
            Message::GatewayApproved {
                attempt,
                apprentice,
                epa_id,
                period_starts,
            } => Email {
                kind: "gateway_approved",
                subject: "Gateway approved: the EPA period has started".to_owned(),
                body: format!(
                    "Gateway attempt {attempt} for {apprentice}'s EPA ({epa_id}) is approved. \
                     The EPA period starts on {period_starts}. The EPAO will arrange the \
                     planning meeting with you and the employer next."
                ),
            },
            Message::GatewayRejected {
                attempt,
                apprentice,
                epa_id,
                fixes,
            } => {
                let list: String = fixes.iter().map(|r| format!("- {r}\n")).collect();
                Email {
                    kind: "gateway_rejected",
                    subject: "Gateway not approved: what to fix".to_owned(),
                    body: format!(
                        "Gateway attempt {attempt} for {apprentice}'s EPA ({epa_id}) was not \
                         approved. What to fix:\n\n{list}\nSubmit the gateway again with the \
                         rejected parts corrected; the parts that were accepted are kept unless \
                         you send them again."
                    ),
                }
            }
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
                Email {
                    kind: "proposal_rejected",
                    subject: "Project proposal not accepted: rework needed".to_owned(),
                    body: format!(
                        "Version {version} of the {proposal} for {apprentice}'s EPA ({epa_id}) \
                         was not accepted. Feedback:\n\n{feedback}\n\nSubmit a reworked \
                         proposal{due}."
                    ),
                }
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
                let mut body = format!(
                    "The assessment planning meeting for {given_names} {family_name} \
                     ({standard} v{version}, {epao}) was held on {held_on}.\n\
                     An assessor has been allocated; the assessments will be booked with you.\n"
                );
                if let Some((period, end)) = period_end {
                    body.push_str(&format!("{period} The EPA period ends on {end}.\n"));
                }
                body.push_str(&format!("{observation_notice}\n"));
                body.push_str(&format!("EPA reference: {epa_id}\n"));
                Email {
                    kind: "email",
                    subject: "EPA planning meeting held: assessor allocated".to_owned(),
                    body,
                }
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
                let next = match change {
                    BookingChange::Booked | BookingChange::Moved => {
                        "If you cannot attend, tell the EPAO straight away so it can be moved."
                    }
                    BookingChange::Cancelled => {
                        "Do not attend. The EPAO will book a new date with you if one is needed."
                    }
                };
                Email {
                    kind: "email",
                    subject: format!("EPA {method} {what}"),
                    body: format!(
                        "The {method} for {given_names} {family_name} is {what}: {on} at {} \
                         (UK time), {duration_minutes} minutes, {mode}.\n{next}\n\
                         EPA reference: {epa_id}\n",
                        starts_at.format("%H:%M"),
                    ),
                }
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
            } => Email {
                kind: "results_released",
                subject: format!(
                    "End-point assessment result released: {given_names} {family_name}"
                ),
                body: format!(
                    "The end-point assessment result for {given_names} {family_name} ({standard} \
                     version {version}) has been released.\n\n\
                     Overall grade: {overall}\nObservation: {observation}\nProject: {project}\n\
                     Discussion: {discussion}\n\n{}\n\n\
                     Sign in to OpenEPA to see the result in full.\n",
                    explanation.join("\n"),
                ),
            },
            Message::MethodResultReleased {
                given_names,
                family_name,
                standard,
                version,
                method,
                grade,
                explanation,
                overall_follows,
            } => {
                let next = if overall_follows {
                    "Every method's result is now released; the overall result follows in a \
                     separate message."
                } else {
                    "The overall result follows once every method's result is released."
                };
                Email {
                    kind: "method_result_released",
                    subject: format!(
                        "End-point assessment: {method} result released for {given_names} \
                         {family_name}"
                    ),
                    body: format!(
                        "The {} result for {given_names} {family_name} ({standard} version \
                         {version}) has been released.\n\n{method}: {grade}\n{explanation}\n\n\
                         {next}\n",
                        method.to_lowercase(),
                    ),
                }
            }
            Message::AssessorReallocated {
                apprentice,
                audience,
            } => Email {
                kind: "assessor_reallocated",
                subject: format!("New assessor for {apprentice}'s EPA"),
                body: match audience {
                    ReallocationAudience::NewAssessor { bookings_moved } => format!(
                        "You are now the assessor for {apprentice}'s end-point assessment. \
                         {bookings_moved} booking(s) still to come are now yours. Open the EPA to \
                         see them and prepare."
                    ),
                    ReallocationAudience::PreviousAssessor => format!(
                        "{apprentice}'s end-point assessment has moved to another assessor. Its \
                         bookings still to come are no longer yours; there is nothing you need to \
                         do."
                    ),
                    ReallocationAudience::Provider => format!(
                        "{apprentice}'s end-point assessment has a new assessor. Booked dates stay \
                         as they are; the new assessor will be in touch."
                    ),
                },
            },
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
                Email {
                    kind,
                    subject: format!("A project report is {side} the word limit"),
                    body: format!(
                        "The project report uploaded for {given_names} {family_name}'s EPA \
                         ({epa_id}) is {side} the policy's word limit: {summary}. Document \
                         {document_id}."
                    ),
                }
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

    fn snapshot(name: &str, message: Message<'_>) {
        let email = message.render();
        insta::assert_snapshot!(
            name,
            format!(
                "kind: {}\nsubject: {}\n\n{}",
                email.kind, email.subject, email.body
            )
        );
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
                },
            );
        }
    }
}
