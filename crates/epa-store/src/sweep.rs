//! Rows that have ended, deleted a batch at a time (ADR 0167): each batch
//! is one statement outside any transaction, in SQLite's turn to write
//! (`on_writer!`), so requests that write go between batches. On
//! PostgreSQL a batch skips rows another transaction holds (a person's
//! sessions being ended, another node's sweep): they go in a later batch,
//! and a sweep never waits on them.

use chrono::{DateTime, Utc};

use crate::{Db, StoreError};

/// Deletes at most `limit` rows of `table` for which `ended` (a condition
/// on `$1`, given `before`) holds, found by `key` (its key's columns, with
/// commas between); returns how many.
pub(crate) async fn delete_batch(
    db: &Db,
    table: &str,
    key: &str,
    ended: &str,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<u64, StoreError> {
    let lock = match db {
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        Db::Sqlite(_) => "",
    };
    let sql = format!(
        "DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE {ended} LIMIT $2{lock})"
    );
    Ok(on_writer!(db, |pool| sqlx::query(&sql)
        .bind(before)
        .bind(limit)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?)
}
