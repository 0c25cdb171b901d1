//! Reading what the store keeps as a list rather than one value.

use epa_domain::MethodId;

use crate::AppError;

/// One method of an attempt's stored comma-separated list. A name the
/// product does not know is damaged data: an error, never skipped.
pub(super) fn method_of(text: &str) -> Result<MethodId, AppError> {
    MethodId::parse(text)
        .ok_or_else(|| AppError::internal(format!("unknown method {text:?} stored")))
}

pub(super) use crate::calendar::london_date;
