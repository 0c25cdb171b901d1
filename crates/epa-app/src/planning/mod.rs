//! Use cases of the EPA's planning: conflicts of interest, the planning
//! meeting that allocates the assessor, bookings of each method under the
//! plan's rules (cancelled, rescheduled, no-shows), the report and portfolio
//! submission dates, and an assessor's allocations (ADR 0060).
//!
//! One file per use case; the input and view types in [`views`]. Every use
//! case that reads or changes an EPA does so through the gate
//! ([`crate::gate::EpaContext`]), so a conflict of interest outranks an
//! allocation everywhere.

mod allocations;
mod book;
mod bookings;
mod cancel;
mod conflicts_of;
mod declare_conflict;
mod hold_meeting;
mod meetings;
mod no_show;
pub(crate) mod notify;
mod people;
mod record_submission;
mod records;
mod reschedule;
mod rules;
mod slot;
mod views;

pub use allocations::my_allocations;
pub use book::book;
pub use bookings::bookings;
pub use cancel::cancel;
pub use conflicts_of::conflicts_of;
pub use declare_conflict::declare_conflict;
pub use hold_meeting::hold_planning_meeting;
pub use meetings::planning_meetings;
pub use no_show::record_no_show;
pub(crate) use people::staff_epaos;
pub use record_submission::record_submission;
pub use reschedule::reschedule;
pub(crate) use rules::{rule_findings, standing_bookings};
pub use views::{
    Allocation, Booked, BookingError, BookingInput, BookingView, ConflictInput, ConflictView,
    PlanningMeetingHeld, PlanningMeetingInput, PlanningMeetingView, ReasonInput, RescheduleInput,
    RuleFinding, SubmissionInput, SubmissionView,
};

/// The longest reason a person may give (a conflict, a moved or cancelled
/// booking, a no-show).
const REASON_MAX: usize = 2_000;
