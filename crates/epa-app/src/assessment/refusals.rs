//! Domain refusals in the words a user can act on.

use epa_domain::attempts::AttemptError;
use epa_domain::lifecycle::{self};
use epa_plan::{EffectivePlan, Strength};

use crate::{AppError, FieldError};

pub(super) fn lifecycle_refusal(err: lifecycle::LifecycleError) -> AppError {
    match err {
        lifecycle::LifecycleError::Invalid { field, message } => AppError::field(field, message),
        other => AppError::Conflict(other.to_string()),
    }
}

/// A domain attempt refusal as a field to fix, or (for a "recommended"
/// window) a warning the caller sees.
pub(super) fn attempt_refusal(
    err: AttemptError,
    field: &str,
    plan: &EffectivePlan,
    warnings: &mut Vec<String>,
    problems: &mut Vec<FieldError>,
) {
    let timing = match &err {
        AttemptError::OutsideWindow { .. } => Some(&plan.rules.timings.resit_retake_window),
        AttemptError::ReworkTooLate { .. } => Some(&plan.rules.timings.project_rework),
        _ => None,
    };
    match timing {
        Some(timing) if timing.strength == Strength::Recommended => warnings.push(format!(
            "{err} (the policy recommends this rather than requiring it: {})",
            timing.text
        )),
        _ => problems.push(FieldError::new(field, err.to_string())),
    }
}

pub(super) fn join<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    match items.as_slice() {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    }
}
