//! What planning takes in and answers: inputs, views and the booking
//! error, each built from the store's records.

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::booking::Finding;
use epa_plan::Strength;
use epa_store::StoreError;
use epa_store::conflicts::Conflict;
use epa_store::planning::{self as store, Booking};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppError;
use crate::epas::EpaView;

// ---------------------------------------------------------------------------
// Conflicts of interest

/// A conflict of interest to declare.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    /// Whose conflict: yourself when absent. EPAO admin and operations may
    /// declare one for an assessor or quality assurer of their EPAO.
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// The employer or training provider the person is connected with.
    pub organisation_id: Uuid,
    /// How they are connected (worked there, related to someone there ...).
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConflictView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    /// `declared` or `derived`.
    pub source: String,
    pub reason: String,
    pub declared_at: DateTime<Utc>,
    pub declared_by: Option<Uuid>,
    /// Set when EPAO staff withdrew it as declared in error: it no longer counts.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawal_reason: Option<String>,
}

impl From<Conflict> for ConflictView {
    fn from(c: Conflict) -> Self {
        ConflictView {
            id: c.id,
            user_id: c.user_id,
            organisation_id: c.organisation_id,
            source: c.source,
            reason: c.reason,
            declared_at: c.declared_at,
            declared_by: c.declared_by,
            withdrawn_at: c.withdrawn_at,
            withdrawn_by: c.withdrawn_by,
            withdrawal_reason: c.withdrawal_reason,
        }
    }
}

// ---------------------------------------------------------------------------
// The planning meeting

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanningMeetingInput {
    /// The day the meeting was held: from the gateway approval to today.
    pub held_on: NaiveDate,
    /// Who attended, as free text ("Jo Bloggs, employer").
    pub attendees: Vec<String>,
    /// The assessor allocated to the EPA.
    pub assessor_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanningMeetingView {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub held_on: NaiveDate,
    pub attendees: Vec<String>,
    pub assessor_id: Uuid,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl From<store::PlanningMeeting> for PlanningMeetingView {
    fn from(m: store::PlanningMeeting) -> Self {
        PlanningMeetingView {
            id: m.id,
            epa_id: m.epa_id,
            held_on: m.held_on,
            attendees: serde_json::from_str(&m.attendees).unwrap_or_default(),
            assessor_id: m.assessor_id,
            recorded_by: m.recorded_by,
            recorded_at: m.recorded_at,
        }
    }
}

/// What holding the planning meeting answers: the meeting and the EPA as it now is.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanningMeetingHeld {
    pub meeting: PlanningMeetingView,
    pub epa: EpaView,
}

// ---------------------------------------------------------------------------
// Bookings

/// A plan rule a booking does not meet, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RuleFinding {
    /// The policy's key: `observation_notice`, `epa_period`,
    /// `report_to_interview`, `portfolio_due`, or an order rule's ID.
    pub rule: String,
    /// `must` refuses; `recommended` warns.
    pub strength: String,
    pub message: String,
    /// The document, section and quote the rule rests on.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_allowed: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_allowed: Option<NaiveDate>,
}

impl From<Finding> for RuleFinding {
    fn from(f: Finding) -> Self {
        RuleFinding {
            strength: match f.strength {
                Strength::Must => "must",
                Strength::Recommended => "recommended",
            }
            .to_owned(),
            rule: f.rule,
            message: f.message,
            source: f.source.to_string(),
            earliest_allowed: f.earliest_allowed,
            latest_allowed: f.latest_allowed,
        }
    }
}

/// A booking refused by the plan's rules, or any other answer.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    App(#[from] AppError),
    /// A "must" rule is not met: nothing was written.
    #[error("the booking does not meet the assessment plan's rules")]
    Refused {
        refusals: Vec<RuleFinding>,
        warnings: Vec<RuleFinding>,
    },
}

impl From<StoreError> for BookingError {
    fn from(err: StoreError) -> Self {
        BookingError::App(err.into())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    /// `observation`, `project` (the interview) or `discussion`.
    pub method: String,
    pub date: NaiveDate,
    /// Local time in England, `HH:MM`.
    pub start_time: String,
    /// The method's length in the plan when absent.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// `in_person` or `remote`, as the plan allows for the method.
    pub mode: String,
    /// The allocated assessor when absent.
    #[serde(default)]
    pub assessor_id: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    pub date: NaiveDate,
    /// Local time in England, `HH:MM`.
    pub start_time: String,
    /// As before when absent.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// As before when absent.
    #[serde(default)]
    pub mode: Option<String>,
    /// As before when absent.
    #[serde(default)]
    pub assessor_id: Option<Uuid>,
    /// Why it moves.
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub method: String,
    pub date: NaiveDate,
    /// `HH:MM`, local time in England.
    pub start_time: String,
    pub duration_minutes: i32,
    pub mode: String,
    pub assessor_id: Uuid,
    /// `booked`, `held` (sat), `cancelled`, `rescheduled` or `no_show`.
    pub status: String,
    pub status_reason: Option<String>,
    pub status_changed_at: Option<DateTime<Utc>>,
    /// The booking this one replaced.
    pub replaces_id: Option<Uuid>,
    /// The booking that replaced this one, once rescheduled.
    pub replaced_by: Option<Uuid>,
    pub booked_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub record_version: i64,
}

impl From<Booking> for BookingView {
    fn from(b: Booking) -> Self {
        BookingView {
            id: b.id,
            epa_id: b.epa_id,
            method: b.method.as_str().to_owned(),
            date: b.assessment_on,
            start_time: b.starts_at.format("%H:%M").to_string(),
            duration_minutes: b.duration_minutes,
            mode: b.mode.as_str().to_owned(),
            assessor_id: b.assessor_id,
            status: b.status.as_str().to_owned(),
            status_reason: b.status_reason,
            status_changed_at: b.status_changed_at,
            replaces_id: b.replaces_id,
            replaced_by: None,
            booked_on: b.booked_on,
            created_at: b.created_at,
            record_version: b.version,
        }
    }
}

/// A booking accepted, with any "recommended" rule it does not follow.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Booked {
    pub booking: BookingView,
    pub warnings: Vec<RuleFinding>,
}

// ---------------------------------------------------------------------------
// Report and portfolio submission

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    /// `report` (the work-based project's report) or `portfolio`.
    pub kind: String,
    /// The day it reached the EPAO.
    pub submitted_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub kind: String,
    pub submitted_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    /// Live bookings the date puts at odds with the plan (to reschedule).
    pub warnings: Vec<RuleFinding>,
}

// ---------------------------------------------------------------------------
// An assessor's allocations

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Allocation {
    pub epa: EpaView,
    /// Live bookings from today on, soonest first.
    pub upcoming: Vec<BookingView>,
}
