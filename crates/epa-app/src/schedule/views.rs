//! What scheduling takes in and answers: the proposal (not stored: it is
//! shown, adjusted and posted back as rows to book) and the outcome of
//! confirming it, row by row.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;
use crate::planning::{BookingInput, BookingView, RuleFinding};

/// Asking for a proposal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// The EPAO to schedule: needed only by someone on the staff of more
    /// than one.
    #[serde(default)]
    pub epao_id: Option<Uuid>,
}

/// A proposed schedule for everyone waiting after gateway.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub epao_id: Uuid,
    /// The day it was proposed: every date is after it.
    pub today: NaiveDate,
    /// One row per assessment to book, by apprentice then date.
    pub bookings: Vec<ProposedBooking>,
    /// Each assessment that could not be placed, with the reason.
    pub unscheduled: Vec<UnscheduledAssessment>,
    pub figures: Figures,
}

/// One assessment to book, as proposed. Post it back (adjusted or not) as
/// a [`ConfirmRow`] to book it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProposedBooking {
    pub epa_id: Uuid,
    /// The apprentice's name.
    pub apprentice: String,
    /// `observation`, `project` (the interview) or `discussion`.
    pub method: String,
    pub date: NaiveDate,
    /// `HH:MM`, local time in England: after the assessor's other bookings
    /// that day.
    pub start_time: String,
    /// The plan's length of the method.
    pub duration_minutes: u32,
    /// `in_person` (the observation, at the workplace) or `remote`.
    pub mode: String,
    pub assessor_id: Uuid,
    pub assessor: String,
    /// Where the apprentice works (`london` ...): where the observation is.
    pub region: String,
    /// The planning meeting has not been held: it allocates this assessor
    /// first, and only then can the assessment be booked.
    pub needs_planning_meeting: bool,
}

/// An assessment left out of the proposal.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnscheduledAssessment {
    pub epa_id: Uuid,
    pub apprentice: String,
    /// `observation`, `project` or `discussion`.
    pub method: String,
    /// Why, in plain English, with what would let it be scheduled.
    pub reason: String,
}

/// How good the proposal is, by the scheduler's measure
/// (`docs/scheduling.md`): lower is better.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Apprentices waiting with at least one assessment to book.
    pub apprentices: usize,
    /// Assessors with a profile the proposal could use.
    pub assessors: usize,
    pub proposed: usize,
    pub unscheduled: usize,
    /// Sum over the apprentices of the days from the start of their EPA
    /// period to their last proposed assessment.
    pub lead_time_days: i64,
    /// Travel of the assessors to the observations, in hours.
    pub travel_hours: f64,
    /// Pairs of assessments proposed out of the EPAO's recommended order.
    pub order_violations: u32,
    /// 1000 per assessment left out + lead time in days + travel hours +
    /// 50 per order violation.
    pub total: f64,
    /// False when the search stopped at its time limit: the proposal keeps
    /// every rule but a longer search might have found a better one.
    pub complete: bool,
}

/// The rows to book.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationInput {
    pub bookings: Vec<ConfirmRow>,
}

/// One assessment to book: a proposed row, as kept or adjusted.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRow {
    pub epa_id: Uuid,
    /// As for booking one method (`POST /api/v1/epas/{id}/bookings`).
    pub booking: BookingInput,
}

/// What confirming did, row by row: each row is booked, or refused with
/// the booking rules' own messages, on its own.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Confirmation {
    pub booked: usize,
    pub refused: usize,
    /// In the order the rows were sent.
    pub rows: Vec<RowOutcome>,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RowOutcome {
    /// Its position among the rows sent, from 0.
    pub row: usize,
    pub epa_id: Uuid,
    pub method: String,
    /// The booking made; none when refused.
    pub booking: Option<BookingView>,
    /// Why it was refused (nothing was written for it), by field.
    pub errors: Vec<FieldError>,
    /// "Recommended" rules the booking does not follow.
    pub warnings: Vec<RuleFinding>,
}
