//! The rules of an end-point assessment, pure: no IO, no async, no global
//! state. Time comes in through [`clock::Clock`]; plans come in as
//! [`epa_plan`] data.
//!
//! - [`uln`]: Unique Learner Numbers and their check digit.
//! - [`calendar`]: bank holidays, working days, week and month arithmetic.
//! - [`grading`]: criterion judgements -> method grades -> overall grade.
//! - [`attempts`]: first attempts, resits, retakes, rework, and the DfE record.
//! - [`adjustments`]: reasonable adjustments and the duration windows they change.
//! - [`diary`]: an assessor's diary: clashes, weekends, bank holidays, working hours.
//! - [`booking`]: the rules a booking of an assessment method must meet.
//! - [`circumstances`]: who may decide exceptional circumstances, and when they lift the cap.
//! - [`deadlines`]: every deadline that follows from an EPA's dates.
//! - [`lifecycle`]: the EPA's stages and the commands that move it between them.
//! - [`policy`]: who may do what to which EPA, by role and relationship.

pub mod adjustments;
pub mod attempts;
pub mod booking;
pub mod calendar;
pub mod circumstances;
pub mod clock;
pub mod deadlines;
pub mod diary;
pub mod gateway;
pub mod grading;
pub mod lifecycle;
pub mod locator;
pub mod plan;
pub mod policy;
pub mod replay;
pub mod sessions;
pub mod uln;

pub use clock::{Clock, FixedClock, SystemClock};
pub use epa_plan::{CriterionLevel, Grade, MethodId};
pub use uln::{Uln, UlnError, UlnMode};
