//! Stored names of methods, grades and attempt kinds, read as the domain's values.

use chrono::NaiveDate;
use epa_domain::attempts::AttemptKind;
use epa_domain::{Grade, MethodId};

use crate::AppError;

pub(super) fn method_of(text: &str) -> Result<MethodId, AppError> {
    MethodId::parse(text)
        .ok_or_else(|| AppError::internal(format!("unknown method {text:?} stored")))
}

pub(super) fn grade_of(text: &str) -> Result<Grade, AppError> {
    Grade::parse(text).ok_or_else(|| AppError::internal(format!("unknown grade {text:?} stored")))
}

pub(super) fn kind_str(kind: AttemptKind) -> &'static str {
    match kind {
        AttemptKind::First => "first",
        AttemptKind::Resit => "resit",
        AttemptKind::Retake => "retake",
        AttemptKind::ProjectRework => "project_rework",
    }
}

pub(super) fn kind_of(text: &str) -> AttemptKind {
    match text {
        "resit" => AttemptKind::Resit,
        "retake" => AttemptKind::Retake,
        "project_rework" => AttemptKind::ProjectRework,
        _ => AttemptKind::First,
    }
}

/// The calendar date in London of a stored instant (the rules count days
/// in English dates), by the domain's own clock conversion.
pub(super) fn london_date(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    epa_domain::Clock::today(&epa_domain::FixedClock(at))
}
