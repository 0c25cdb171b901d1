//! Bulk imports from files people keep elsewhere (a provider's MIS, a
//! spreadsheet): read as Excel writes them, checked whole, stored all or
//! nothing.

pub mod apprentices;
mod table;

use serde::Serialize;

/// A problem with one cell (or one row) of an imported file: the row's
/// number in the file as a spreadsheet shows it (the header is row 1), the
/// column, and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    pub row: u64,
    pub column: String,
    pub message: String,
}

impl RowProblem {
    pub fn new(row: u64, column: &str, message: impl Into<String>) -> RowProblem {
        RowProblem {
            row,
            column: column.to_owned(),
            message: message.into(),
        }
    }
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file needs fixing: every problem found, by row and column.
    #[error("the file needs fixing: {} problems", .0.len())]
    Rows(Vec<RowProblem>),
    /// Refused or failed as any use case is.
    #[error(transparent)]
    App(#[from] crate::AppError),
}

impl From<epa_store::StoreError> for ImportError {
    fn from(err: epa_store::StoreError) -> Self {
        ImportError::App(err.into())
    }
}
