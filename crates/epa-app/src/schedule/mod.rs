//! Scheduling the EPAO's waiting apprentices (ADR 0127): a proposal of who
//! assesses each remaining method and when, built from the assessors'
//! profiles (regions, capacity, days off, conflicts of interest) and
//! bookings and the apprentices' dates, by the scheduler
//! (`crates/epa-scheduler`, `docs/scheduling.md`); then, once staff have
//! adjusted it, its rows booked one by one through [`crate::planning::book`].
//!
//! The proposal is not stored: it is shown, and the rows kept come back to
//! be booked. The booking rules, checked again then, catch a proposal that
//! went stale meanwhile.

mod confirm;
mod instance;
mod propose;
mod views;
mod waiting;

pub use confirm::{CONFIRM_MAX, confirm};
pub use propose::{TIME_LIMIT, propose};
pub use views::{
    ConfirmRow, Confirmation, ConfirmationInput, Figures, Proposal, ProposedBooking, RowOutcome,
    ScheduleInput, UnscheduledAssessment,
};
