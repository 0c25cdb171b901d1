//! EPAO staff putting an EPA's records right: moving it to another
//! assessor, withdrawing a conflict of interest declared in error, and
//! correcting the apprentice's registration. Each needs a reason, and each
//! is audited with what it changed.

mod correct_registration;
mod reallocate_assessor;
mod withdraw_conflict;

pub use correct_registration::{RegistrationCorrection, correct_registration};
pub use reallocate_assessor::{Reallocated, Reallocation, reallocate_assessor};
pub use withdraw_conflict::{ConflictWithdrawal, withdraw_conflict};

use crate::{AppError, FieldError};

/// The longest reason kept.
const REASON_MAX: usize = 2_000;

/// A reason given for a correction: required, and not a novel.
fn reason(text: &str, problems: &mut Vec<FieldError>) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        problems.push(FieldError::new("reason", "give the reason for this change"));
        None
    } else if text.chars().count() > REASON_MAX {
        problems.push(FieldError::new(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
        None
    } else {
        Some(text.to_owned())
    }
}

fn checked(problems: Vec<FieldError>) -> Result<(), AppError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(problems))
    }
}
