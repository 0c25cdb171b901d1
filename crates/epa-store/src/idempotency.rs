//! Idempotency keys: a POST repeated with the same `Idempotency-Key` (a
//! client retrying after a lost response) gets the first answer back.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Stored {
    pub request_hash: String,
    pub response_status: i32,
    pub response_body: String,
}

pub async fn find(db: &Db, user_id: Uuid, key: &str) -> Result<Option<Stored>, StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2"
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(pool)
    .await
    })?)
}

/// Records the answer in the same transaction as the work, so either both
/// happen or neither does.
pub async fn record(
    tx: &mut Tx,
    user_id: Uuid,
    key: &str,
    stored: &Stored,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(user_id)
    .bind(key)
    .bind(&stored.request_hash)
    .bind(stored.response_status)
    .bind(&stored.response_body)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}
