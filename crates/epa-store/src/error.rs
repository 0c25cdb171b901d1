use thiserror::Error;

/// What can go wrong in storage, in terms a use case can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A unique value is already taken, or a row changed under an
    /// optimistic lock. The text names what clashed.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be opened or set up as required.
    #[error("{0}")]
    Setup(String),
    /// A stored value is not one the product knows (a stage, method, grade
    /// or status outside its closed set): damaged data, never read as a
    /// default.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The database did not answer or refused the statement.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A statement SQLite ran on the request's thread (a read, ADR 0171, or
    /// a write's, ADR 0176) failed.
    #[error("database error: {0}")]
    Read(#[source] rusqlite::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_owned())
            }
            sqlx::Error::ColumnDecode { .. } => StoreError::Corrupt(err.to_string()),
            _ => StoreError::Database(err),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        StoreError::Setup(format!("database migration failed: {err}"))
    }
}
