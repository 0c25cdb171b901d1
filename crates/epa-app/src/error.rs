//! What a use case can answer besides success, in words the user can act on.

use epa_store::StoreError;
use serde::Serialize;
use thiserror::Error;

/// A problem with one input field: shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum AppError {
    /// Not there, or not the caller's to see: the two answer alike, so
    /// another organisation's records cannot be discovered.
    #[error("not found")]
    NotFound,
    /// The caller may see the record but not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// The record's state does not allow this now, or it changed meanwhile.
    #[error("{0}")]
    Conflict(String),
    /// The caller edited an older version of the record than the stored
    /// one (a failed `If-Match` precondition): 412.
    #[error("{0}")]
    Stale(String),
    /// The input needs fixing; every problem is listed.
    #[error("the input needs fixing")]
    Validation(Vec<FieldError>),
    /// Something the request needs is not set up or not reachable now (no
    /// file store): 503, with what is missing.
    #[error("{0}")]
    Unavailable(String),
    /// Our fault; logged with detail, shown to the user only as "try again".
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// Our fault, with the cause kept for the log (see [`AppError::Internal`]).
    pub fn internal(err: impl std::fmt::Display) -> AppError {
        AppError::Internal(err.to_string())
    }

    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(what) => AppError::Conflict(what),
            other => {
                tracing::error!(error = %other, "storage failed");
                AppError::Internal(other.to_string())
            }
        }
    }
}
