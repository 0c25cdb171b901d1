//! Reading what the store keeps as a list rather than one value.

use chrono::NaiveDate;
use epa_domain::MethodId;

use crate::AppError;

/// One method of an attempt's stored comma-separated list. A name the
/// product does not know is damaged data: an error, never skipped.
pub(super) fn method_of(text: &str) -> Result<MethodId, AppError> {
    MethodId::parse(text)
        .ok_or_else(|| AppError::internal(format!("unknown method {text:?} stored")))
}

/// The calendar date in London of a stored instant (the rules count days
/// in English dates), by the domain's own clock conversion.
pub(super) fn london_date(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    epa_domain::Clock::today(&epa_domain::FixedClock(at))
}
